package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

type udpResult struct {
	Test      string  `json:"test"`
	Mode      string  `json:"mode"`
	Size      int     `json:"payload_bytes"`
	Assocs    int     `json:"associations"`
	Inflight  int     `json:"inflight_per_assoc"`
	RoundTrip int64   `json:"round_trips"`
	RTPerS    float64 `json:"rt_per_s"`
	RTPerCPU  float64 `json:"rt_per_proxy_cpu_s,omitempty"`
	Sent      int64   `json:"sent"`
	Lost      int64   `json:"lost"`
	LossPct   float64 `json:"loss_pct"`
	Late      int64   `json:"late_replies"`
	Bad       int64   `json:"bad_replies"`
	latStats
	measure
}

// assoc is one UDP association: a UDP socket plus (through a proxy) the TCP
// control connection that keeps the association alive. It keeps `inflight`
// datagrams outstanding: each reply (or timeout) sends the next one.
type assoc struct {
	uc   *net.UDPConn
	ctrl net.Conn
	dst  netip.AddrPort // where datagrams go: the relay, or the echo directly
	hdr  []byte         // SOCKS UDP request header, nil when direct
	size int
	seq  atomic.Uint64
	mu   sync.Mutex
	out  map[uint64]int64 // seq -> send time (ns since start)
	wmu  sync.Mutex
	wbuf []byte
	lat  []uint32
	rts  int64
	sent int64
	lost int64
	late int64
	bad  int64
	errs errSet
}

var udpStart = time.Now()

func nowNS() int64 { return int64(time.Since(udpStart)) }

func (a *assoc) send(rec bool) {
	seq := a.seq.Add(1)
	a.mu.Lock()
	a.out[seq] = nowNS()
	if rec {
		a.sent++
	}
	a.mu.Unlock()
	a.wmu.Lock()
	h := len(a.hdr)
	binary.BigEndian.PutUint64(a.wbuf[h:], seq)
	_, err := a.uc.WriteToUDPAddrPort(a.wbuf[:h+a.size], a.dst)
	a.wmu.Unlock()
	if err != nil {
		// Kernel refused (e.g. ENOBUFS): the sweeper times it out and resends.
		a.mu.Lock()
		a.errs.add(err)
		a.mu.Unlock()
	}
}

func (a *assoc) readLoop(recording *atomic.Bool, stop *atomic.Bool) {
	buf := make([]byte, 65536)
	for {
		n, _, err := a.uc.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		p := buf[:n]
		if a.hdr != nil {
			h, err := udpHeaderLen(p)
			if err != nil {
				a.mu.Lock()
				a.bad++
				a.mu.Unlock()
				continue
			}
			p = p[h:]
		}
		if len(p) != a.size {
			a.mu.Lock()
			a.bad++
			a.mu.Unlock()
			continue
		}
		seq := binary.BigEndian.Uint64(p)
		rec := recording.Load()
		a.mu.Lock()
		t0, ok := a.out[seq]
		if ok {
			delete(a.out, seq)
			if rec {
				a.rts++
				us := (nowNS() - t0) / 1000
				if len(a.lat) < 2_000_000 {
					a.lat = append(a.lat, uint32(us))
				}
			}
		} else if rec {
			a.late++
		}
		a.mu.Unlock()
		if ok && !stop.Load() {
			a.send(rec)
		}
	}
}

// sweep declares datagrams older than timeout lost and replaces them.
func (a *assoc) sweep(timeout time.Duration, rec bool, stop bool) {
	cut := nowNS() - int64(timeout)
	var n int
	a.mu.Lock()
	for seq, t0 := range a.out {
		if t0 < cut {
			delete(a.out, seq)
			n++
			if rec {
				a.lost++
			}
		}
	}
	a.mu.Unlock()
	for i := 0; i < n && !stop; i++ {
		a.send(rec)
	}
}

func cmdUDP(args []string) error {
	var c common
	fs := flag.NewFlagSet("udp", flag.ExitOnError)
	c.register(fs)
	size := fs.Int("size", 64, "payload bytes per datagram (>= 8)")
	nAssoc := fs.Int("assocs", 4, "UDP associations")
	inflight := fs.Int("inflight", 16, "outstanding datagrams per association")
	lossAfter := fs.Duration("loss-timeout", 200*time.Millisecond, "a datagram unanswered this long counts as lost")
	_ = fs.Parse(args)
	if err := c.init(); err != nil {
		return err
	}
	if *size < 8 || *size > 65000 || *nAssoc < 1 || *nAssoc > 256 || *inflight < 1 || *inflight > 4096 {
		return fmt.Errorf("--size, --assocs or --inflight out of range")
	}
	t, err := startTargets(16 << 10)
	if err != nil {
		return err
	}
	echo := t.udpAddr()
	as := make([]*assoc, *nAssoc)
	hbuf := make([]byte, 600)
	for i := range as {
		uc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return err
		}
		_ = uc.SetReadBuffer(4 << 20)
		_ = uc.SetWriteBuffer(4 << 20)
		a := &assoc{uc: uc, size: *size, out: map[uint64]int64{}, dst: echo}
		if c.sc != nil {
			ctrl, err := net.DialTimeout("tcp", c.sc.addr, 5*time.Second)
			if err != nil {
				return fmt.Errorf("assoc %d: dial proxy: %w", i, err)
			}
			_ = ctrl.SetDeadline(time.Now().Add(10 * time.Second))
			relay, err := c.sc.handshake(ctrl, 3, addrOf(uc.LocalAddr()), hbuf)
			if err != nil {
				return fmt.Errorf("assoc %d: UDP ASSOCIATE: %w", i, err)
			}
			_ = ctrl.SetDeadline(time.Time{})
			if !relay.IsValid() || relay.Addr().IsUnspecified() {
				pa := addrOf(ctrl.RemoteAddr())
				relay = netip.AddrPortFrom(pa.Addr(), relay.Port())
			}
			a.ctrl, a.dst = ctrl, relay
			a.hdr = appendAddr([]byte{0, 0, 0}, echo)
		}
		a.wbuf = make([]byte, len(a.hdr)+*size)
		copy(a.wbuf, a.hdr)
		as[i] = a
	}
	var recording, stop atomic.Bool
	for _, a := range as {
		go a.readLoop(&recording, &stop)
	}
	sweepStop := make(chan struct{})
	sweepDone := make(chan struct{})
	go func() {
		defer close(sweepDone)
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-sweepStop:
				return
			case <-tk.C:
				for _, a := range as {
					a.sweep(*lossAfter, recording.Load(), stop.Load())
				}
			}
		}
	}()
	for _, a := range as {
		for j := 0; j < *inflight; j++ {
			a.send(false)
		}
	}
	time.Sleep(c.warmup)
	m0 := takeMark(c.pid)
	recording.Store(true)
	time.Sleep(c.duration)
	recording.Store(false)
	m1 := takeMark(c.pid)
	stop.Store(true)
	close(sweepStop)
	<-sweepDone
	r := udpResult{Test: "udp", Mode: c.mode(), Size: *size, Assocs: *nAssoc, Inflight: *inflight}
	var all []uint32
	var errs errSet
	for _, a := range as {
		a.mu.Lock()
		r.RoundTrip += a.rts
		r.Sent += a.sent
		r.Lost += a.lost
		r.Late += a.late
		r.Bad += a.bad
		all = append(all, a.lat...)
		errs.merge(&a.errs)
		a.mu.Unlock()
		a.uc.Close()
		if a.ctrl != nil {
			a.ctrl.Close()
		}
	}
	r.measure = window(m0, m1, c.pid)
	r.RTPerS = float64(r.RoundTrip) / r.WallS
	if r.RoundTrip+r.Lost > 0 {
		r.LossPct = 100 * float64(r.Lost) / float64(r.RoundTrip+r.Lost)
	}
	if r.ProxyMeasured && r.ProxyCPUS > 0 {
		r.RTPerCPU = float64(r.RoundTrip) / r.ProxyCPUS
	}
	r.latStats = percentiles(all)
	if errs.n > 0 {
		return emit(struct {
			udpResult
			SendErrors    int            `json:"send_errors"`
			SendErrorMsgs map[string]int `json:"send_error_msgs"`
		}{r, errs.n, errs.msgs})
	}
	return emit(r)
}
