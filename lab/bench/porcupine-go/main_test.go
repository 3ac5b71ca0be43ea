// The harness's reading of the logs, on the hand-made logs of test/unit/bench-porcupine-etcd.test.ts
// and bench-porcupine-kv.test.ts: the same ops, outcomes and verdicts as the lab's. Not part of
// `npm test` (Go is optional); run by hand in a module set up as porcupine-go.ts sets it up:
//
//	cp lab/bench/porcupine-go/*.go $DIR && (cd $DIR && printf '%s' "$GOMOD" > go.mod && go test)
package main

import (
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"
)

func readLines(lines []string, parse func(string, *builder) error, unknown interface{}) ([]porcupine.Event, int) {
	b := newBuilder()
	for _, l := range lines {
		if err := parse(strings.TrimSpace(l), b); err != nil {
			panic(err)
		}
	}
	return b.finish(unknown), b.next
}

// etcd 004's shape: process 3's write of 2 and process 5's write of 3 never complete; process 1
// reads 2 early, so the write of 2 took effect then, and the last read of 2 has no write left.
var etcdRows = []string{
	"0\t:invoke\t:write\t1",
	"0\t:ok\t:write\t1",
	"3\t:invoke\t:write\t2",
	"1\t:invoke\t:read\tnil",
	"1\t:ok\t:read\t2",
	"0\t:invoke\t:write\t1",
	"0\t:ok\t:write\t1",
	"5\t:invoke\t:write\t3",
	"1\t:invoke\t:read\tnil",
	"1\t:ok\t:read\t3",
	"2\t:invoke\t:cas\t[1 4]",
	"2\t:fail\t:cas\t[1 4]",
	"1\t:invoke\t:read\tnil",
	"1\t:ok\t:read\t2",
	"4\t:invoke\t:read\tnil",
	"4\t:fail\t:read\t:timed-out",
}

func etcdLog(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = "INFO  jepsen.util - " + r
	}
	return out
}

func TestEtcdLogAsTheLabReadsIt(t *testing.T) {
	events, ops := readLines(etcdLog(etcdRows), parseEtcdLine, regOutput{unknown: true})
	if ops != 9 || len(events) != 18 {
		t.Fatalf("want 9 ops, 18 events; got %d ops, %d events", ops, len(events))
	}
	// The ops of unknown outcome (writes 1 and 4, never completed; the timed-out read 8) return
	// after every other event, in id order.
	for i, id := range []int{1, 4, 8} {
		e := events[15+i]
		if e.Kind != porcupine.ReturnEvent || e.Id != id || !e.Value.(regOutput).unknown {
			t.Fatalf("event %d: want the unknown return of op %d, got %+v", 15+i, id, e)
		}
	}
	// The failed cas (op 6) is answered false, its outcome known.
	for _, e := range events {
		if e.Kind == porcupine.ReturnEvent && e.Id == 6 && e.Value != (regOutput{ok: false}) {
			t.Fatalf("the failed cas: want a known false, got %+v", e.Value)
		}
	}
	if porcupine.CheckEvents(registerModel, events) {
		t.Fatal("want not linearizable (as the lab)")
	}
	shorter, _ := readLines(etcdLog(append(append([]string{}, etcdRows[:12]...), etcdRows[14:]...)), parseEtcdLine, regOutput{unknown: true})
	if !porcupine.CheckEvents(registerModel, shorter) {
		t.Fatal("without the last read of 2: want linearizable")
	}
}

// Key "1": append "a", then a get of "a" beside a put of "b"; key "2": a get of "", then of "z"
// that nothing wrote.
var kvRows = []string{
	`{:process 0, :type :invoke, :f :append, :key "1", :value "a"}`,
	`{:process 0, :type :ok, :f :append, :key "1", :value "a"}`,
	`{:process 1, :type :invoke, :f :get, :key "1", :value nil}`,
	`{:process 2, :type :invoke, :f :put, :key "1", :value "b"}`,
	`{:process 1, :type :ok, :f :get, :key "1", :value "a"}`,
	`{:process 2, :type :ok, :f :put, :key "1", :value "b"}`,
	`{:process 3, :type :invoke, :f :get, :key "2", :value nil}`,
	`{:process 3, :type :ok, :f :get, :key "2", :value ""}`,
	`{:process 3, :type :invoke, :f :get, :key "2", :value nil}`,
	`{:process 3, :type :ok, :f :get, :key "2", :value "z"}`,
}

func TestKvLogAsTheLabReadsIt(t *testing.T) {
	events, ops := readLines(kvRows, parseKvLine, kvOutput{unknown: true})
	if ops != 5 {
		t.Fatalf("want 5 ops, got %d", ops)
	}
	if got := partitionByKey(events); len(got) != 2 || len(got[0]) != 6 || len(got[1]) != 4 {
		t.Fatalf("want key 1 (6 events) then key 2 (4), got %d partitions", len(got))
	}
	if porcupine.CheckEvents(kvModel, events) {
		t.Fatal("want not linearizable: key 2 reads z")
	}
	ok, _ := readLines(kvRows[:6], parseKvLine, kvOutput{unknown: true})
	if !porcupine.CheckEvents(kvModel, ok) {
		t.Fatal("key 1 alone: want linearizable")
	}
}

func TestModelStepsCounted(t *testing.T) {
	// Write 1, then read 1, one after the other: one call of the step function each.
	events, _ := readLines(etcdLog([]string{"0 :invoke :write 1", "0 :ok :write 1", "0 :invoke :read nil", "0 :ok :read 1"}), parseEtcdLine, regOutput{unknown: true})
	var n int64
	if !porcupine.CheckEvents(counted(registerModel, &n), events) || n != 2 {
		t.Fatalf("want linearizable in 2 model steps, got %d", n)
	}
}
