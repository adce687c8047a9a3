package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
)

type idleResult struct {
	Test          string         `json:"test"`
	Requested     int            `json:"requested"`
	Open          int            `json:"open"`
	Alive         int            `json:"alive_after_settle"`
	OpenS         float64        `json:"open_s"`
	Errors        int            `json:"errors"`
	ErrorMsgs     map[string]int `json:"error_msgs,omitempty"`
	ProcsBefore   int            `json:"procs_before"`
	ProcsAfter    int            `json:"procs_after"`
	RSSBeforeKB   int64          `json:"rss_before_kb"`
	RSSAfterKB    int64          `json:"rss_after_kb"`
	PSSBeforeKB   int64          `json:"pss_before_kb"`
	PSSAfterKB    int64          `json:"pss_after_kb"`
	RSSPerSession float64        `json:"rss_kb_per_session"`
	PSSPerSession float64        `json:"pss_kb_per_session"`
}

// cmdIdle opens N sessions (greeting, CONNECT to the echo target, one byte
// echoed to prove the relay works), leaves them idle for --settle, and
// reports how the proxy's memory grew: (after - before) / open sessions.
func cmdIdle(args []string) error {
	var c common
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	c.register(fs)
	n := fs.Int("n", 2000, "idle sessions to hold")
	conc := fs.Int("conc", 32, "sessions opened concurrently")
	settle := fs.Duration("settle", 2*time.Second, "idle time before reading memory")
	budget := fs.Duration("open-timeout", 60*time.Second, "give up opening after")
	_ = fs.Parse(args)
	if err := c.init(); err != nil {
		return err
	}
	if c.sc == nil || c.pid <= 0 {
		return fmt.Errorf("idle needs --socks and --pid")
	}
	if *n < 1 || *n > 100000 || *conc < 1 {
		return fmt.Errorf("--n or --conc out of range")
	}
	t, err := startTargets(4 << 10)
	if err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	before := snapTree(c.pid, true)
	if !before.ok {
		return fmt.Errorf("proxy pid %d not found", c.pid)
	}
	conns := make([]net.Conn, 0, *n)
	var mu sync.Mutex
	var errs errSet
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(*budget)
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hbuf, b := make([]byte, 600), make([]byte, 1)
			for range jobs {
				cn, err := dialThrough(c.sc, t.echoAddr(), time.Now().Add(10*time.Second), hbuf)
				if err == nil {
					_ = cn.SetDeadline(time.Now().Add(10 * time.Second))
					if _, err = cn.Write([]byte{'i'}); err == nil {
						_, err = io.ReadFull(cn, b)
					}
					_ = cn.SetDeadline(time.Time{})
					if err != nil {
						cn.Close()
					}
				}
				mu.Lock()
				if err != nil {
					errs.add(err)
				} else {
					conns = append(conns, cn)
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < *n && time.Now().Before(end); i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	openS := time.Since(start).Seconds()
	time.Sleep(*settle)
	after := snapTree(c.pid, true)
	// Check the sessions are still there: a closed one reads EOF at once.
	alive := 0
	for _, cn := range conns {
		if stillOpen(cn) {
			alive++
		}
	}
	r := idleResult{Test: "idle", Requested: *n, Open: len(conns), Alive: alive, OpenS: openS,
		Errors: errs.n, ErrorMsgs: errs.msgs,
		ProcsBefore: before.procs, ProcsAfter: after.procs,
		RSSBeforeKB: before.rssKB, RSSAfterKB: after.rssKB, PSSBeforeKB: before.pssKB, PSSAfterKB: after.pssKB}
	if len(conns) > 0 {
		r.RSSPerSession = float64(after.rssKB-before.rssKB) / float64(len(conns))
		r.PSSPerSession = float64(after.pssKB-before.pssKB) / float64(len(conns))
	}
	for _, cn := range conns {
		cn.Close()
	}
	return emit(r)
}

// stillOpen peeks at the socket without blocking: open and idle means
// EAGAIN; a peer close shows as a 0-byte read or an error.
func stillOpen(cn net.Conn) bool {
	tc, ok := cn.(*net.TCPConn)
	if !ok {
		return false
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return false
	}
	open := false
	var b [1]byte
	_ = rc.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = err == syscall.EAGAIN || n > 0
		return true
	})
	return open
}
