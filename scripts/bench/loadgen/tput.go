package main

import (
	"flag"
	"fmt"
	"net"
	"sync/atomic"
	"time"
)

type tputResult struct {
	Test     string  `json:"test"`
	Mode     string  `json:"mode"`
	Dir      string  `json:"dir"`
	Streams  int     `json:"streams"`
	Bytes    int64   `json:"bytes"`
	MBps     float64 `json:"mb_per_s"`
	MBPerCPU float64 `json:"mb_per_proxy_cpu_s,omitempty"`
	Stalled  int     `json:"stalled_streams"`
	measure
}

// cmdTput measures bulk TCP throughput through CONNECT: "up" writes from the
// client to the sink target, "down" reads what the source target writes.
// Bytes are counted at the receiving end during the window. MB = 10^6 bytes.
func cmdTput(args []string) error {
	var c common
	fs := flag.NewFlagSet("tput", flag.ExitOnError)
	c.register(fs)
	streams := fs.Int("streams", 1, "parallel TCP streams")
	dir := fs.String("dir", "up", "up (client->target) or down (target->client)")
	bufKB := fs.Int("buf-kb", 128, "read/write buffer size, KiB")
	_ = fs.Parse(args)
	if err := c.init(); err != nil {
		return err
	}
	if *dir != "up" && *dir != "down" {
		return fmt.Errorf("--dir must be up or down")
	}
	if *streams < 1 || *streams > 1024 {
		return fmt.Errorf("--streams out of range")
	}
	t, err := startTargets(*bufKB << 10)
	if err != nil {
		return err
	}
	dst := t.sinkAddr()
	if *dir == "down" {
		dst = t.sourceAddr()
	}
	conns := make([]net.Conn, *streams)
	buf := make([]byte, 600)
	for i := range conns {
		conns[i], err = dialThrough(c.sc, dst, time.Now().Add(10*time.Second), buf)
		if err != nil {
			return fmt.Errorf("stream %d: %w", i, err)
		}
	}
	var down atomic.Int64
	perStream := make([]atomic.Int64, *streams)
	for i, cn := range conns {
		i, cn := i, cn
		go func() {
			b := make([]byte, *bufKB<<10)
			for {
				if *dir == "up" {
					n, err := cn.Write(b)
					perStream[i].Add(int64(n))
					if err != nil {
						return
					}
				} else {
					n, err := cn.Read(b)
					down.Add(int64(n))
					perStream[i].Add(int64(n))
					if err != nil {
						return
					}
				}
			}
		}()
	}
	counter := &down
	if *dir == "up" {
		counter = &t.sinkBytes
	}
	time.Sleep(c.warmup)
	s0 := make([]int64, *streams)
	for i := range perStream {
		s0[i] = perStream[i].Load()
	}
	m0, b0 := takeMark(c.pid), counter.Load()
	time.Sleep(c.duration)
	m1, b1 := takeMark(c.pid), counter.Load()
	stalled := 0
	for i := range perStream {
		if perStream[i].Load() == s0[i] {
			stalled++
		}
	}
	for _, cn := range conns {
		cn.Close()
	}
	r := tputResult{Test: "tput", Mode: c.mode(), Dir: *dir, Streams: *streams, Bytes: b1 - b0, Stalled: stalled}
	r.measure = window(m0, m1, c.pid)
	r.MBps = float64(r.Bytes) / 1e6 / r.WallS
	if r.ProxyMeasured && r.ProxyCPUS > 0 {
		r.MBPerCPU = float64(r.Bytes) / 1e6 / r.ProxyCPUS
	}
	return emit(r)
}
