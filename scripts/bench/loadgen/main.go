// Command loadgen is the load generator and local target servers for the
// sockscale benchmark (scripts/bench/run.sh). It speaks just enough SOCKS5
// (RFC 1928 CONNECT and UDP ASSOCIATE, RFC 1929 username/password) to drive a
// proxy, runs its own targets (TCP sink, TCP source, TCP echo, UDP echo) in
// the same process, and measures the proxy's CPU and memory from /proc.
//
// Every measuring subcommand prints one JSON object on stdout and exits.
//
//	loadgen targets  [--max-time 10m]                   run the targets, print their ports
//	loadgen probe    [--socks A] [--auth u:p] [--timeout 10s]
//	loadgen tput     [--socks A] --streams N --dir up|down [--duration 6s]
//	loadgen sessions [--socks A] [--auth u:p] [--conc 32] [--duration 6s]
//	loadgen udp      [--socks A] [--size 64] [--assocs 4] [--inflight 16]
//	loadgen idle     --socks A --pid P [--n 2000]
//
// Without --socks the same workload runs directly against the targets (the
// no-proxy baseline). --pid names the proxy's main process; its CPU time (and
// memory, for idle) is summed over it and all its descendants.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "targets":
		err = cmdTargets(args)
	case "probe":
		err = cmdProbe(args)
	case "tput":
		err = cmdTput(args)
	case "sessions":
		err = cmdSessions(args)
	case "udp":
		err = cmdUDP(args)
	case "idle":
		err = cmdIdle(args)
	case "version":
		fmt.Println(runtime.Version())
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen "+cmd+":", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: loadgen targets|probe|tput|sessions|udp|idle|version [flags] (see main.go)")
	os.Exit(2)
}

// common holds the flags shared by the measuring subcommands.
type common struct {
	socks    string
	auth     string
	pid      int
	duration time.Duration
	warmup   time.Duration
	sc       *socksClient // nil when direct
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.socks, "socks", "", "SOCKS5 proxy host:port (empty: direct, no proxy)")
	fs.StringVar(&c.auth, "auth", "", "user:password for RFC 1929 auth (empty: no-auth method)")
	fs.IntVar(&c.pid, "pid", 0, "proxy main PID for CPU/memory accounting (0: none)")
	fs.DurationVar(&c.duration, "duration", 6*time.Second, "measurement window")
	fs.DurationVar(&c.warmup, "warmup", 500*time.Millisecond, "warm-up before the window")
}

func (c *common) init() error {
	if c.socks == "" {
		if c.auth != "" {
			return fmt.Errorf("--auth needs --socks")
		}
		return nil
	}
	c.sc = &socksClient{addr: c.socks, dialTimeout: 5 * time.Second}
	if c.auth != "" {
		u, p, ok := strings.Cut(c.auth, ":")
		if !ok || len(u) == 0 || len(u) > 255 || len(p) > 255 {
			return fmt.Errorf("--auth must be user:password (each 1..255 bytes)")
		}
		c.sc.user, c.sc.pass = u, p
	}
	return nil
}

func (c *common) mode() string {
	if c.sc == nil {
		return "direct"
	}
	return "socks5"
}

// measure is the CPU accounting of one window, embedded in every result.
type measure struct {
	WallS          float64 `json:"wall_s"`
	LoadgenCPUS    float64 `json:"loadgen_cpu_s"`
	LoadgenCPUPct  float64 `json:"loadgen_cpu_pct"`
	ProxyCPUS      float64 `json:"proxy_cpu_s"`
	ProxyCPUPct    float64 `json:"proxy_cpu_pct"`
	ProxyProcs     int     `json:"proxy_procs"`
	ProxyMeasured  bool    `json:"proxy_measured"`
	SoftirqCPUPct  float64 `json:"softirq_cpu_pct"` // machine-wide softirq time (mostly the loopback traffic itself)
	OtherCPUPct    float64 `json:"other_cpu_pct"`   // everything else on the machine
	GOMAXPROCS     int     `json:"gomaxprocs"`
	CPUPctMeansOf1 string  `json:"cpu_pct_unit"`
}

type mark struct {
	t     time.Time
	self  float64
	sys   float64
	sirq  float64
	proxy procSnap
}

func takeMark(pid int) mark {
	m := mark{t: time.Now(), self: selfCPU()}
	m.sys, m.sirq = systemCPU()
	if pid > 0 {
		m.proxy = snapTree(pid, false)
	}
	return m
}

func window(a, b mark, pid int) measure {
	w := b.t.Sub(a.t).Seconds()
	m := measure{WallS: w, LoadgenCPUS: b.self - a.self, GOMAXPROCS: runtime.GOMAXPROCS(0), CPUPctMeansOf1: "100 = one core"}
	m.LoadgenCPUPct = 100 * m.LoadgenCPUS / w
	if pid > 0 && b.proxy.ok {
		m.ProxyMeasured = true
		m.ProxyCPUS = b.proxy.cpuS - a.proxy.cpuS
		m.ProxyCPUPct = 100 * m.ProxyCPUS / w
		m.ProxyProcs = b.proxy.procs
	}
	sirq := b.sirq - a.sirq
	m.SoftirqCPUPct = 100 * sirq / w
	m.OtherCPUPct = 100 * (b.sys - a.sys - sirq - m.LoadgenCPUS - m.ProxyCPUS) / w
	if m.OtherCPUPct < 0 {
		m.OtherCPUPct = 0
	}
	return m
}

func emit(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// errSet keeps a count and a few distinct error messages.
type errSet struct {
	n    int
	msgs map[string]int
}

func (e *errSet) add(err error) {
	e.n++
	if e.msgs == nil {
		e.msgs = map[string]int{}
	}
	s := err.Error()
	if _, ok := e.msgs[s]; ok || len(e.msgs) < 8 {
		e.msgs[s]++
	}
}

func (e *errSet) merge(o *errSet) {
	e.n += o.n
	for k, v := range o.msgs {
		if e.msgs == nil {
			e.msgs = map[string]int{}
		}
		if _, ok := e.msgs[k]; ok || len(e.msgs) < 8 {
			e.msgs[k] += v
		}
	}
}
