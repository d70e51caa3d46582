// Copyright 2026 The Stillroom Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package jpeg

import (
	"runtime"
	"sync"
)

// minParallelMCUs is the smallest image, in MCUs, whose blocks are
// reconstructed in other goroutines; below it the hand-over costs more
// than it saves.
const minParallelMCUs = 1024

// reconstructor reconstructs the blocks of a sequential scan in worker
// goroutines, a row of MCUs at a time, while the decoding goroutine goes
// on with the entropy-coded data. Rows write disjoint parts of the image,
// so workers need no locking. A reconstructor of nil does the work inline
// (see processSOS).
type reconstructor struct {
	d    *decoder
	cur  []pendingBlock
	jobs chan []pendingBlock
	free chan []pendingBlock
	wg   sync.WaitGroup
}

type pendingBlock struct {
	b        block
	bx, by   int32
	compIndx int32
}

// newReconstructor returns a reconstructor for a scan of mxx×myy MCUs of
// nComp components, or nil when the image is too small or only one CPU is
// available.
func (d *decoder) newReconstructor(mxx, myy, nComp int) *reconstructor {
	workers := min(runtime.GOMAXPROCS(0)-1, 3)
	if workers < 1 || mxx*myy < minParallelMCUs {
		return nil
	}
	blocksPerRow := 0
	for i := 0; i < nComp; i++ {
		blocksPerRow += d.comp[i].h * d.comp[i].v // an upper bound for any scan
	}
	blocksPerRow = mxx * max(blocksPerRow, d.comp[0].h*d.comp[0].v)
	r := &reconstructor{
		d:    d,
		jobs: make(chan []pendingBlock, workers),
		free: make(chan []pendingBlock, workers+2),
	}
	// workers+2 buffers: one filling, one queued per worker, one spare.
	for range workers + 2 {
		r.free <- make([]pendingBlock, 0, blocksPerRow)
	}
	r.cur = <-r.free
	for range workers {
		r.wg.Go(func() {
			for batch := range r.jobs {
				for i := range batch {
					p := &batch[i]
					d.reconstructBlock(&p.b, int(p.bx), int(p.by), int(p.compIndx))
				}
				r.free <- batch[:0]
			}
		})
	}
	return r
}

// add queues block b, at (bx, by) of component compIndex.
func (r *reconstructor) add(b *block, bx, by, compIndex int) {
	r.cur = append(r.cur, pendingBlock{*b, int32(bx), int32(by), int32(compIndex)})
}

// next queues a zeroed block at (bx, by) of component compIndex and returns
// it, for the caller to decode into before the next flush.
func (r *reconstructor) next(bx, by, compIndex int) *block {
	r.cur = append(r.cur, pendingBlock{bx: int32(bx), by: int32(by), compIndx: int32(compIndex)})
	return &r.cur[len(r.cur)-1].b
}

// flush hands the queued blocks to a worker.
func (r *reconstructor) flush() {
	if len(r.cur) == 0 {
		return
	}
	r.jobs <- r.cur
	r.cur = <-r.free
}

// stop reconstructs what is queued and waits for the workers.
func (r *reconstructor) stop() {
	if r == nil {
		return
	}
	r.flush()
	close(r.jobs)
	r.wg.Wait()
}

// inParallel splits rows 0..n between GOMAXPROCS goroutines and waits.
func inParallel(n int, rows func(y0, y1 int)) {
	workers := max(1, min(runtime.GOMAXPROCS(0), n))
	if workers == 1 {
		rows(0, n)
		return
	}
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() { rows(n*k/workers, n*(k+1)/workers) })
	}
	wg.Wait()
}
