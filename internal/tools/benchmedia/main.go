// Command benchmedia times media.Process on one image file: -runs
// sequential runs (the median is reported), then, with -parallel N, N
// goroutines processing copies at once (photos per second). With -out, it
// writes the renditions of the last run there.
//
//	go run ./internal/tools/benchmedia -in photo.jpg -runs 5 -parallel 2
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/stillroom/stillroom/media"
)

func main() {
	in := flag.String("in", "", "image file (required)")
	runs := flag.Int("runs", 5, "sequential runs")
	parallel := flag.Int("parallel", 0, "then process this many at once, -runs times each")
	out := flag.String("out", "", "directory to write the last run's renditions to")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the sequential runs")
	flag.Parse()
	if err := run(*in, *runs, *parallel, *out, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "benchmedia:", err)
		os.Exit(1)
	}
}

func run(in string, runs, parallel int, out, cpuprofile string) error {
	if in == "" || runs < 1 {
		return fmt.Errorf("usage: benchmedia -in photo.jpg [-runs 5] [-parallel 2] [-out dir]")
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	// The WebP encoder is compiled once per process (servers do it at
	// start): reported, not counted in the runs, as libvips's lazy start-up
	// is not.
	start := time.Now()
	media.WarmWebP()
	warm := time.Since(start)
	var times []time.Duration
	var res *media.Result
	for range runs {
		start := time.Now()
		if res, err = media.Process(ctx, data, media.Options{}); err != nil {
			return err
		}
		times = append(times, time.Since(start))
	}
	if cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	slices.Sort(times)
	fmt.Printf("process: %dx%d, %d bytes, GOMAXPROCS %d; WebP encoder %s, ready in %.3f s (once per process)\n",
		res.Width, res.Height, len(data), runtime.GOMAXPROCS(0), media.WebPEncoder(), warm.Seconds())
	fmt.Printf("sequential: median %.3f s, min %.3f s, max %.3f s over %d runs\n",
		times[len(times)/2].Seconds(), times[0].Seconds(), times[len(times)-1].Seconds(), runs)
	for _, r := range res.Renditions {
		fmt.Printf("  %-10s %-4s %4dx%-4d %7d bytes\n", r.Name, r.Format, r.Width, r.Height, len(r.Data))
	}
	fmt.Printf("  blurhash %s, dominant %s, focal (%.3f, %.3f)\n", res.Blurhash, res.DominantColor, res.FocalX, res.FocalY)

	if parallel > 0 {
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, parallel)
		for range parallel {
			wg.Go(func() {
				for range runs {
					if _, err := media.Process(ctx, data, media.Options{}); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
		el := time.Since(start)
		fmt.Printf("parallel %d: %d photos in %.3f s, %.2f photos/s\n",
			parallel, parallel*runs, el.Seconds(), float64(parallel*runs)/el.Seconds())
	}

	if out != "" {
		for _, r := range res.Renditions {
			p := filepath.Join(out, r.Name+"."+string(r.Format)) // w1024.jpeg and w1024.webp
			if err := os.WriteFile(p, r.Data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
