package ncpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/orgsync/orgsync/internal/throttle"
)

func TestZZSim(t *testing.T) {
	if os.Getenv("SIM") == "" {
		t.Skip()
	}
	var R float64 = 100
	bucket := rate.NewLimiter(rate.Limit(R), int(R))
	var thr, ok atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !bucket.Allow() {
			thr.Add(1)
			w.WriteHeader(429)
			return
		}
		ok.Add(1)
		time.Sleep(5 * time.Millisecond)
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	l := throttle.New(throttle.Config{})
	tr := transport(l)
	slots := throttle.NewSlots(l, 500)
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < 500; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := slots.ReserveSlot(ctx, nil); err != nil {
					return
				}
				actx, c2 := context.WithTimeout(ctx, 30*time.Second)
				time.Sleep(30 * time.Millisecond) // dispatch
				tr.Do(actx, Request{Method: "PUT", URL: srv.URL, What: "x"})
				c2()
				time.Sleep(30 * time.Millisecond) // record
				slots.ReleaseSlot(nil)
			}
		}()
	}
	start := time.Now()
	for ctx.Err() == nil {
		time.Sleep(500 * time.Millisecond)
		fmt.Printf("%5.1fs rate %6.1f slots %3d/%3d ok %5d thr %4d\n", time.Since(start).Seconds(), l.Rate(), slots.Used(), slots.Limit(), ok.Load(), thr.Load())
	}
	wg.Wait()
}
