// Command porcupine-bench runs Porcupine's own checker on the histories of Porcupine's test_data
// (its Jepsen etcd logs and its kv logs) and prints one JSON line per history: its name, its ops,
// Porcupine's verdict, the wall time of Porcupine's check call and the model steps it took.
//
//	porcupine-bench -data <porcupine checkout>/test_data [-kv c50-ok,c50-bad] [-timeout 60s]
//
// The logs are read as the lab reads them (lab/bench/porcupine-etcd.ts and porcupine-kv.ts), so
// both sides check the same histories: a `:fail` cas answered false (it did not swap); a `:fail`
// read or write, an `:info` op and an op with no completion are of unknown outcome, so their
// return is placed after every other event (they may take effect at any time after their call).
//
// lab/bench/porcupine-go.ts builds this in a temporary module whose go.mod points at the local
// Porcupine checkout (a replace directive), offline: only Go's standard library and Porcupine.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
)

// result is one output line; lab/bench/porcupine-go.ts parses it (parseGoOutput).
type result struct {
	Name       string  `json:"name"`
	Kind       string  `json:"kind"`
	Ops        int     `json:"ops"`
	Verdict    string  `json:"verdict"`
	Ms         float64 `json:"ms"`
	ModelSteps int64   `json:"modelSteps"`
}

// history is one log read into Porcupine's events.
type history struct {
	name   string
	kind   string
	ops    int
	events []porcupine.Event
	model  porcupine.Model
}

func main() {
	data := flag.String("data", "", "Porcupine's test_data directory")
	etcd := flag.Bool("etcd", true, "check every jepsen/etcd_NNN.log")
	kv := flag.String("kv", "c01-ok,c01-bad,c10-ok,c10-bad,c50-ok,c50-bad", "kv logs to check (comma-separated names in kv/; empty for none)")
	timeout := flag.Duration("timeout", time.Minute, "Porcupine's timeout per history (its verdict is Unknown past it)")
	warmup := flag.Int("warmup", 3, "histories checked once, untimed, before the timed runs")
	flag.Parse()
	if *data == "" {
		fail("-data is required: the test_data directory of a Porcupine checkout")
	}
	histories, err := readAll(*data, *etcd, *kv)
	if err != nil {
		fail(err.Error())
	}
	for i := 0; i < *warmup && i < len(histories); i++ {
		porcupine.CheckEventsTimeout(histories[i].model, histories[i].events, *timeout)
	}
	out := json.NewEncoder(os.Stdout)
	for _, h := range histories {
		if err := out.Encode(run(h, *timeout)); err != nil {
			fail(err.Error())
		}
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "porcupine-bench: "+msg)
	os.Exit(2)
}

// run times Porcupine's check of one history twice, keeping the better time (the lab's side times
// each of its checks twice a round too), then checks it again with a model that counts the calls
// of its step function (Porcupine's unit of work), so the count costs the timed runs nothing.
func run(h history, timeout time.Duration) result {
	var verdict porcupine.CheckResult
	ms := 0.0
	for i := 0; i < 2; i++ {
		t0 := time.Now()
		verdict = porcupine.CheckEventsTimeout(h.model, h.events, timeout)
		t := float64(time.Since(t0).Nanoseconds()) / 1e6
		if i == 0 || t < ms {
			ms = t
		}
	}
	var steps int64
	porcupine.CheckEventsTimeout(counted(h.model, &steps), h.events, timeout)
	return result{Name: h.name, Kind: h.kind, Ops: h.ops, Verdict: string(verdict), Ms: ms, ModelSteps: steps}
}

// counted is the model with every call of its step counted in n (atomically: Porcupine checks
// partitions in parallel goroutines).
func counted(m porcupine.Model, n *int64) porcupine.Model {
	step := m.Step
	m.Step = func(state, input, output interface{}) (bool, interface{}) {
		atomic.AddInt64(n, 1)
		return step(state, input, output)
	}
	return m
}

func readAll(data string, etcd bool, kv string) ([]history, error) {
	var out []history
	if etcd {
		files, err := filepath.Glob(filepath.Join(data, "jepsen", "etcd_*.log"))
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			h, err := readLog(f, strings.TrimSuffix(filepath.Base(f), ".log"), "etcd", parseEtcdLine, regOutput{unknown: true})
			if err != nil {
				return nil, err
			}
			h.model = registerModel
			out = append(out, h)
		}
	}
	for _, name := range strings.Split(kv, ",") {
		if name == "" {
			continue
		}
		h, err := readLog(filepath.Join(data, "kv", name+".txt"), name, "kv", parseKvLine, kvOutput{unknown: true})
		if err != nil {
			return nil, err
		}
		h.model = kvModel
		out = append(out, h)
	}
	return out, nil
}

// readLog reads a log line by line into events; parse turns one line into calls and returns.
// An op left open at the end is of unknown outcome (output `unknown`).
func readLog(path, name, kind string, parse func(line string, b *builder) error, unknown interface{}) (history, error) {
	f, err := os.Open(path)
	if err != nil {
		return history{}, err
	}
	defer f.Close()
	b := newBuilder()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		if err := parse(strings.TrimSpace(sc.Text()), b); err != nil {
			return history{}, fmt.Errorf("%s line %d: %v", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return history{}, fmt.Errorf("%s: %v", path, err)
	}
	return history{name: name, kind: kind, ops: b.next, events: b.finish(unknown)}, nil
}

// builder turns calls and completions, in the log's order, into Porcupine's events. An op of
// unknown outcome gets its return after every other event: Porcupine must place it somewhere,
// and placing it last lets it take effect at any time after its call (or, last of all, in effect
// never), which is what `info` means in the lab.
type builder struct {
	events  []porcupine.Event
	open    map[int]int // process → id of its open op
	unknown []pending
	next    int // ids handed out so far: the ops read
}

type pending struct {
	id, process int
	output      interface{}
}

func newBuilder() *builder { return &builder{open: map[int]int{}} }

func (b *builder) call(process int, input interface{}, unknown interface{}) {
	// A process that calls again before its last op completed: that op never completed.
	b.later(process, unknown)
	b.open[process] = b.next
	b.events = append(b.events, porcupine.Event{ClientId: process, Kind: porcupine.CallEvent, Value: input, Id: b.next})
	b.next++
}

// ret completes the process's open op now (nothing when it has none, as the lab ignores it).
func (b *builder) ret(process int, output interface{}) {
	id, ok := b.open[process]
	if !ok {
		return
	}
	delete(b.open, process)
	b.events = append(b.events, porcupine.Event{ClientId: process, Kind: porcupine.ReturnEvent, Value: output, Id: id})
}

// later marks the process's open op of unknown outcome: its return goes at the end.
func (b *builder) later(process int, output interface{}) {
	id, ok := b.open[process]
	if !ok {
		return
	}
	delete(b.open, process)
	b.unknown = append(b.unknown, pending{id, process, output})
}

func (b *builder) finish(unknown interface{}) []porcupine.Event {
	for p, id := range b.open {
		b.unknown = append(b.unknown, pending{id, p, unknown})
	}
	b.open = map[int]int{}
	sort.Slice(b.unknown, func(i, j int) bool { return b.unknown[i].id < b.unknown[j].id })
	for _, u := range b.unknown {
		b.events = append(b.events, porcupine.Event{ClientId: u.process, Kind: porcupine.ReturnEvent, Value: u.output, Id: u.id})
	}
	return b.events
}

// ---- the cas register (Jepsen's etcd test): read, write, cas; nil (no value) at first.

type regInput struct {
	f    byte // 'r', 'w' or 'c'
	a, b int  // write's value; cas's expected and new values
}

type regOutput struct {
	unknown bool
	ok      bool // cas: swapped
	has     bool // read: a value (not nil)
	v       int  // read: the value
}

type regState struct {
	has bool
	v   int
}

var registerModel = porcupine.Model{
	Init: func() interface{} { return regState{} },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st, in, out := state.(regState), input.(regInput), output.(regOutput)
		switch in.f {
		case 'r':
			return out.unknown || (out.has == st.has && out.v == st.v), st
		case 'w':
			return true, regState{true, in.a}
		default:
			swaps := st.has && st.v == in.a
			next := st
			if swaps {
				next = regState{true, in.b}
			}
			return out.unknown || out.ok == swaps, next
		}
	},
}

// The lab's reading of a line (porcupine-etcd.ts LINE): process, type, f and the rest.
var etcdLine = regexp.MustCompile(`jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*)$`)

func parseEtcdLine(line string, b *builder) error {
	m := etcdLine.FindStringSubmatch(line)
	if m == nil {
		return nil
	}
	process, _ := strconv.Atoi(m[1])
	typ, f, raw := m[2], m[3], m[4]
	unknown := regOutput{unknown: true}
	switch {
	case typ == "invoke":
		in, err := regInputOf(f, raw)
		if err != nil {
			return err
		}
		b.call(process, in, unknown)
	case typ == "ok" && f == "read" && raw == "nil":
		b.ret(process, regOutput{})
	case typ == "ok" && f == "read":
		v, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("read value %q is not an integer", raw)
		}
		b.ret(process, regOutput{has: true, v: v})
	case typ == "ok":
		b.ret(process, regOutput{ok: f == "cas"})
	case typ == "fail" && f == "cas":
		b.ret(process, regOutput{ok: false})
	default:
		b.later(process, unknown)
	}
	return nil
}

func regInputOf(f, raw string) (regInput, error) {
	switch f {
	case "read":
		return regInput{f: 'r'}, nil
	case "write":
		v, err := strconv.Atoi(raw)
		if err != nil {
			return regInput{}, fmt.Errorf("write value %q is not an integer", raw)
		}
		return regInput{f: 'w', a: v}, nil
	}
	parts := strings.Fields(strings.NewReplacer("[", " ", "]", " ").Replace(raw))
	if len(parts) != 2 {
		return regInput{}, fmt.Errorf("cas value %q is not [expected new]", raw)
	}
	a, errA := strconv.Atoi(parts[0])
	c, errC := strconv.Atoi(parts[1])
	if errA != nil || errC != nil {
		return regInput{}, fmt.Errorf("cas value %q is not two integers", raw)
	}
	return regInput{f: 'c', a: a, b: c}, nil
}

// ---- the kv store (Porcupine's kv logs): get, put, append on string keys, "" at first; one
// partition per key, as Porcupine's own kv model.

type kvInput struct {
	f          byte // 'g', 'p' or 'a'
	key, value string
}

type kvOutput struct {
	unknown bool
	value   string
}

var kvModel = porcupine.Model{
	PartitionEvent: partitionByKey,
	Init:           func() interface{} { return "" },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st, in, out := state.(string), input.(kvInput), output.(kvOutput)
		switch in.f {
		case 'g':
			return out.unknown || out.value == st, st
		case 'p':
			return true, in.value
		default:
			return true, st + in.value
		}
	},
	Hash: func(state interface{}) uint64 {
		h := fnv.New64a()
		h.Write([]byte(state.(string)))
		return h.Sum64()
	},
}

func partitionByKey(events []porcupine.Event) [][]porcupine.Event {
	byKey := map[string][]porcupine.Event{}
	keyOf := map[int]string{}
	for _, e := range events {
		if e.Kind == porcupine.CallEvent {
			keyOf[e.Id] = e.Value.(kvInput).key
		}
		k := keyOf[e.Id]
		byKey[k] = append(byKey[k], e)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][]porcupine.Event, 0, len(keys))
	for _, k := range keys {
		out = append(out, byKey[k])
	}
	return out
}

// The lab's reading of a line (porcupine-kv.ts LINE).
var kvLine = regexp.MustCompile(`^\{:process (\d+), :type :(invoke|ok), :f :(get|put|append), :key "(.*?)", :value (nil|"(.*)")\}$`)

func parseKvLine(line string, b *builder) error {
	m := kvLine.FindStringSubmatch(line)
	if m == nil {
		return nil
	}
	process, _ := strconv.Atoi(m[1])
	typ, f, key, str := m[2], m[3], m[4], m[6] // str is "" for nil, as the lab reads it
	if typ == "invoke" {
		b.call(process, kvInput{f: f[0], key: key, value: str}, kvOutput{unknown: true})
		return nil
	}
	if f == "get" {
		b.ret(process, kvOutput{value: str})
	} else {
		b.ret(process, kvOutput{})
	}
	return nil
}
