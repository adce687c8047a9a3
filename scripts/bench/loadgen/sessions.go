package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

type latStats struct {
	P50us float64 `json:"p50_us"`
	P90us float64 `json:"p90_us"`
	P99us float64 `json:"p99_us"`
	Maxus float64 `json:"max_us"`
	N     int     `json:"samples"`
}

func percentiles(l []uint32) latStats {
	if len(l) == 0 {
		return latStats{}
	}
	slices.Sort(l)
	at := func(p float64) float64 {
		i := int(p * float64(len(l)-1))
		return float64(l[i])
	}
	return latStats{P50us: at(0.50), P90us: at(0.90), P99us: at(0.99), Maxus: float64(l[len(l)-1]), N: len(l)}
}

type sessionsResult struct {
	Test      string         `json:"test"`
	Mode      string         `json:"mode"`
	Auth      bool           `json:"auth"`
	Conc      int            `json:"concurrency"`
	Close     string         `json:"closes_first"`
	Sessions  int            `json:"sessions"`
	PerS      float64        `json:"sessions_per_s"`
	PerCPU    float64        `json:"sessions_per_proxy_cpu_s,omitempty"`
	Errors    int            `json:"errors"`
	ErrorMsgs map[string]int `json:"error_msgs,omitempty"`
	latStats
	measure
}

// oneSession: TCP connect, SOCKS5 greeting (+auth), CONNECT to the echo
// target, send payload, read the echo, close. Direct: connect, echo, close.
// With serverClose the target closes after echoing and the client reads
// that EOF before closing (see the --close flag).
func oneSession(sc *socksClient, dst netip.AddrPort, payload, rbuf, hbuf []byte, timeout time.Duration, serverClose bool) error {
	deadline := time.Now().Add(timeout)
	c, err := dialThrough(sc, dst, deadline, hbuf)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(deadline)
	if _, err := c.Write(payload); err != nil {
		return fmt.Errorf("payload write: %w", err)
	}
	if _, err := io.ReadFull(c, rbuf[:len(payload)]); err != nil {
		return fmt.Errorf("echo read: %w", err)
	}
	if !bytes.Equal(rbuf[:len(payload)], payload) {
		return errors.New("echo mismatch")
	}
	if serverClose {
		n, err := c.Read(rbuf)
		if err != io.EOF {
			if err == nil {
				err = fmt.Errorf("%d unexpected bytes", n)
			}
			return fmt.Errorf("waiting for target close: %w", err)
		}
	}
	return nil
}

func cmdSessions(args []string) error {
	var c common
	fs := flag.NewFlagSet("sessions", flag.ExitOnError)
	c.register(fs)
	conc := fs.Int("conc", 32, "concurrent sessions")
	size := fs.Int("payload", 32, "bytes echoed per session")
	timeout := fs.Duration("session-timeout", 5*time.Second, "per-session deadline")
	maxSamples := fs.Int("max-samples", 4_000_000, "latency samples kept")
	closeMode := fs.String("close", "server", "who closes first: server (the echo target closes after echoing; "+
		"client reads EOF, then closes) or client (client closes right after the echo)")
	_ = fs.Parse(args)
	if err := c.init(); err != nil {
		return err
	}
	if *conc < 1 || *conc > 4096 || *size < 1 || *size > 4096 {
		return fmt.Errorf("--conc or --payload out of range")
	}
	if *closeMode != "server" && *closeMode != "client" {
		return fmt.Errorf("--close must be server or client")
	}
	serverClose := *closeMode == "server"
	t, err := startTargets(16 << 10)
	if err != nil {
		return err
	}
	t.closeAfter = *size
	dst := t.echoAddr()
	if serverClose {
		dst = t.echoCloseAddr()
	}
	var recording, stop atomic.Bool
	var samples atomic.Int64
	type worker struct {
		lat  []uint32
		ok   int
		errs errSet
	}
	ws := make([]worker, *conc)
	var wg sync.WaitGroup
	for i := range ws {
		w := &ws[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			payload := bytes.Repeat([]byte{'s'}, *size)
			rbuf := make([]byte, *size)
			hbuf := make([]byte, 600)
			for !stop.Load() {
				t0 := time.Now()
				err := oneSession(c.sc, dst, payload, rbuf, hbuf, *timeout, serverClose)
				d := time.Since(t0)
				if !recording.Load() {
					if err != nil {
						time.Sleep(time.Millisecond)
					}
					continue
				}
				if err != nil {
					w.errs.add(err)
					time.Sleep(time.Millisecond) // don't spin on a refusing proxy
					continue
				}
				w.ok++
				if samples.Add(1) <= int64(*maxSamples) {
					us := d.Microseconds()
					if us > 1<<31 {
						us = 1 << 31
					}
					w.lat = append(w.lat, uint32(us))
				}
			}
		}()
	}
	time.Sleep(c.warmup)
	m0 := takeMark(c.pid)
	recording.Store(true)
	time.Sleep(c.duration)
	recording.Store(false)
	m1 := takeMark(c.pid)
	stop.Store(true)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(*timeout + time.Second):
	}
	r := sessionsResult{Test: "sessions", Mode: c.mode(), Auth: c.auth != "", Conc: *conc, Close: *closeMode}
	var all []uint32
	var errs errSet
	for i := range ws {
		r.Sessions += ws[i].ok
		all = append(all, ws[i].lat...)
		errs.merge(&ws[i].errs)
	}
	r.Errors, r.ErrorMsgs = errs.n, errs.msgs
	r.measure = window(m0, m1, c.pid)
	r.PerS = float64(r.Sessions) / r.WallS
	if r.ProxyMeasured && r.ProxyCPUS > 0 {
		r.PerCPU = float64(r.Sessions) / r.ProxyCPUS
	}
	r.latStats = percentiles(all)
	return emit(r)
}

// cmdProbe is the health check: retry one full session (greeting, optional
// auth, CONNECT to a local echo target, echo 4 bytes) until it succeeds or
// --timeout passes.
func cmdProbe(args []string) error {
	var c common
	fs := flag.NewFlagSet("probe", flag.ExitOnError)
	c.register(fs)
	timeout := fs.Duration("timeout", 10*time.Second, "give up after")
	_ = fs.Parse(args)
	if err := c.init(); err != nil {
		return err
	}
	t, err := startTargets(16 << 10)
	if err != nil {
		return err
	}
	start := time.Now()
	end := start.Add(*timeout)
	payload, rbuf, hbuf := []byte("ping"), make([]byte, 4), make([]byte, 600)
	for attempt := 1; ; attempt++ {
		err = oneSession(c.sc, t.echoAddr(), payload, rbuf, hbuf, 2*time.Second, false)
		if err == nil {
			return emit(map[string]any{"ok": true, "attempts": attempt, "ms": time.Since(start).Milliseconds()})
		}
		if time.Now().Add(100 * time.Millisecond).After(end) {
			return fmt.Errorf("no successful session after %d attempts in %s: %w", attempt, *timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
