// Package metricstest reads Prometheus text exposition in tests: the
// server's /metrics and the HTTP edge's metrics handler.
package metricstest

import (
	"bytes"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Families is the metric families of one scrape, by name.
type Families = map[string]*dto.MetricFamily

// Parse parses a scrape, failing the test when it does not parse.
func Parse(t testing.TB, body []byte) Families {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("metrics do not parse: %v\n%s", err, body)
	}
	return fams
}

// Series returns the metric of the family name whose labels include
// labels, failing the test when there is none.
func Series(t testing.TB, fams Families, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	fam := fams[name]
	if fam == nil {
		t.Fatalf("no %s", name)
	}
next:
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	t.Fatalf("no %s%v", name, labels)
	return nil
}

// Counter is the value of a counter series.
func Counter(t testing.TB, fams Families, name string, labels map[string]string) float64 {
	t.Helper()
	return Series(t, fams, name, labels).GetCounter().GetValue()
}

// Gauge is the value of a gauge series.
func Gauge(t testing.TB, fams Families, name string, labels map[string]string) float64 {
	t.Helper()
	return Series(t, fams, name, labels).GetGauge().GetValue()
}

// Histogram is a histogram series.
func Histogram(t testing.TB, fams Families, name string, labels map[string]string) *dto.Histogram {
	t.Helper()
	return Series(t, fams, name, labels).GetHistogram()
}
