package workflows_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/orgsync/orgsync/internal/model"
	"github.com/orgsync/orgsync/internal/plan"
	"github.com/orgsync/orgsync/internal/testenv"
	"github.com/orgsync/orgsync/sandbox/workboxsim"
	"github.com/orgsync/orgsync/workflows"
)

// TestSafetyKillWorker runs the worker as a separate process and kills it
// with SIGKILL at random moments of a run of 1,000+ entities while writes
// are in flight (the sandbox answers slowly), restarting it each time. The
// target must end exactly as the source, with every entity created once:
// the sandbox refuses a second POST of a key (180011, counted as a
// duplicate create and absorbed by the worker as an update), so the
// successful creates must equal the number of entities.
//
// Batch mode is killed the same way: a batch records its outcomes a few
// dozen at a time, so a kill loses some records of writes already made,
// and the retried batch must absorb them.
func TestSafetyKillWorker(t *testing.T) {
	t.Run("per entity", func(t *testing.T) { killWorker(t, 10, 0, 40) })
	t.Run("batch", func(t *testing.T) { killWorker(t, 5, 10, 400) })
}

// killWorker kills the worker kills times during a first sync in batch
// mode batch (0 = per entity), with the target answering in latencyMs.
func killWorker(t *testing.T, kills, batch, latencyMs int) {
	s := testenv.NewStack(t, testenv.StackOptions{Employees: 1000, Departments: 60})
	bin := testenv.BuildWorker(t, t.TempDir())
	s.Config.ApplyWindow = 16 // 4 per child: each kill strands a few items
	// The target also allows 100 requests/s, a quota the worker is not
	// told (no ORGSYNC_TARGET_RPS): each restarted worker starts from the
	// rate the killed ones learned, and throttling never fails an item.
	safetyMust(t, s.Sandbox.Workbox().SetFaults(workboxsim.Faults{LatencyMs: latencyMs, RPS: 100}))

	src := s.Source(t)
	want := testenv.WorkboxState(src)
	entities := 0
	for _, k := range model.Kinds {
		entities += len(src[k])
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 5))
	t.Logf("%d entities (%d grades, %d positions, %d departments, %d employees); seed %d", entities,
		len(src[model.Grade]), len(src[model.Position]), len(src[model.Department]), len(src[model.Employee]), seed)

	proc := s.StartWorkerProcess(t, bin)
	start := time.Now()
	run := s.Start(t, "orgsync-kill-test", workflows.Input{Batch: batch})
	type result struct {
		rep plan.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		var rep plan.Report
		err := run.Get(context.Background(), &rep)
		done <- result{rep, err}
	}()

	var stalls []time.Duration
	var atWrites []int64
	for i := 0; i < kills; i++ {
		// Wait until the (re)started worker has sent a random number of
		// writes, then a random moment more, and kill it.
		base := s.Sandbox.Stats().Writes
		need := base + 1 + int64(rng.IntN(40))
		restarted := time.Now()
		var resumed time.Duration
		for s.Sandbox.Stats().Writes < need {
			if resumed == 0 && s.Sandbox.Stats().Writes > base {
				resumed = time.Since(restarted)
			}
			select {
			case r := <-done:
				t.Fatalf("the run ended after only %d kills (status %q, err %v): make it longer", i, r.rep.Status, r.err)
			default:
			}
			if proc.Exited() {
				t.Fatalf("worker exited on its own:\n%s", proc.Logs(4000))
			}
			if time.Since(restarted) > 90*time.Second {
				t.Fatalf("no progress for 90 s after restart %d", i)
			}
			time.Sleep(2 * time.Millisecond)
		}
		if resumed == 0 {
			resumed = time.Since(restarted)
		}
		if i > 0 {
			stalls = append(stalls, resumed)
		}
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		safetyMust(t, proc.Kill())
		atWrites = append(atWrites, s.Sandbox.Stats().Writes)
		safetyMust(t, proc.Start())
	}
	t.Logf("%d kills at writes %v; time to the first write after each restart %v", kills, atWrites, stalls)

	var r result
	select {
	case r = <-done:
	case <-time.After(150 * time.Second):
		t.Fatalf("the run did not finish within 150 s of the last kill:\n%s", proc.Logs(4000))
	}
	if r.err != nil {
		t.Fatalf("run failed: %v", r.err)
	}
	elapsed := time.Since(start)
	rep, st := r.rep, s.Sandbox.Stats()
	retries, failed := 0, 0
	for _, sr := range rep.Stages {
		retries += sr.Retries
		failed += sr.Failed + sr.Skipped + sr.Pending
	}
	t.Logf("run %s in %s: %d kills, %d worker processes; sandbox: %d creates, %d duplicate creates (180011, absorbed as updates), %d updates, %d deletes, %d writes; %d recorded retries",
		rep.Status, elapsed.Round(time.Millisecond), kills, proc.Runs, st.Creates, st.DuplicateCreates, st.Updates, st.Deletes, st.Writes, retries)

	got := s.Sandbox.WorkboxState()
	if !testenv.SameJSON(got, want) {
		t.Fatalf("final state differs from the source in: %s (%d/%d users)", diffState(got, want), len(got.Users), len(want.Users))
	}
	if rep.Status != plan.RunCompleted || failed != 0 {
		t.Fatalf("report: status %q, %d items failed, skipped or pending: %+v", rep.Status, failed, rep.Stages)
	}
	if st.Creates != int64(entities) || st.Deletes != 0 {
		t.Fatalf("%d successful creates and %d deletes for %d entities: an entity was created twice or lost", st.Creates, st.Deletes, entities)
	}
	if st.Updates > st.DuplicateCreates {
		t.Fatalf("%d updates but %d repeated creates: only a repeated create may turn into an update", st.Updates, st.DuplicateCreates)
	}
	if m := s.Mappings(t); len(m) != entities {
		t.Fatalf("%d mappings for %d entities", len(m), entities)
	}
}
