package metrics_test

import dto "github.com/prometheus/client_model/go"

type dtoFamily struct{ f *dto.MetricFamily }

func (d *dtoFamily) match(labels map[string]string) []*dto.Metric {
	if d == nil {
		return nil
	}
	var out []*dto.Metric
next:
	for _, m := range d.f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

// value sums the counters matching labels.
func (d *dtoFamily) value(labels map[string]string) float64 {
	var v float64
	for _, m := range d.match(labels) {
		v += m.GetCounter().GetValue()
	}
	return v
}

// histCount sums the observation counts of the histograms matching labels.
func (d *dtoFamily) histCount(labels map[string]string) uint64 {
	var n uint64
	for _, m := range d.match(labels) {
		n += m.GetHistogram().GetSampleCount()
	}
	return n
}

// gauge sums the gauges matching labels.
func (d *dtoFamily) gauge(labels map[string]string) float64 {
	var v float64
	for _, m := range d.match(labels) {
		v += m.GetGauge().GetValue()
	}
	return v
}
