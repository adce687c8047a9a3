package main

import (
	"flag"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// targets are the local servers the proxies connect to: a TCP sink (reads
// and counts), a TCP source (writes as fast as it can), a TCP echo and a UDP
// echo, all on 127.0.0.1 ephemeral ports.
type targets struct {
	sink, source, echo *net.TCPListener
	echoClose          *net.TCPListener // echoes closeAfter bytes, then closes
	udp                *net.UDPConn
	sinkBytes          atomic.Int64
	bufSize            int
	closeAfter         int
}

func addrOf(a net.Addr) netip.AddrPort {
	switch v := a.(type) {
	case *net.TCPAddr:
		return v.AddrPort()
	case *net.UDPAddr:
		return v.AddrPort()
	}
	panic("unexpected address type")
}

func (t *targets) sinkAddr() netip.AddrPort   { return addrOf(t.sink.Addr()) }
func (t *targets) sourceAddr() netip.AddrPort { return addrOf(t.source.Addr()) }
func (t *targets) echoAddr() netip.AddrPort   { return addrOf(t.echo.Addr()) }
func (t *targets) echoCloseAddr() netip.AddrPort {
	return addrOf(t.echoClose.Addr())
}
func (t *targets) udpAddr() netip.AddrPort { return addrOf(t.udp.LocalAddr()) }

func startTargets(bufSize int) (*targets, error) {
	t := &targets{bufSize: bufSize, closeAfter: 32}
	var err error
	lis := func() (*net.TCPListener, error) {
		return net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	}
	if t.sink, err = lis(); err != nil {
		return nil, err
	}
	if t.source, err = lis(); err != nil {
		return nil, err
	}
	if t.echo, err = lis(); err != nil {
		return nil, err
	}
	if t.echoClose, err = lis(); err != nil {
		return nil, err
	}
	if t.udp, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
		return nil, err
	}
	_ = t.udp.SetReadBuffer(4 << 20)
	_ = t.udp.SetWriteBuffer(4 << 20)
	go t.serve(t.sink, t.handleSink)
	go t.serve(t.source, t.handleSource)
	go t.serve(t.echo, t.handleEcho)
	go t.serve(t.echoClose, t.handleEchoClose)
	go t.serveUDP()
	return t, nil
}

func (t *targets) serve(l *net.TCPListener, h func(*net.TCPConn)) {
	for {
		c, err := l.AcceptTCP()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			// EMFILE and friends: back off instead of spinning.
			time.Sleep(5 * time.Millisecond)
			continue
		}
		go h(c)
	}
}

func (t *targets) handleSink(c *net.TCPConn) {
	defer c.Close()
	buf := make([]byte, t.bufSize)
	for {
		n, err := c.Read(buf)
		t.sinkBytes.Add(int64(n))
		if err != nil {
			return
		}
	}
}

func (t *targets) handleSource(c *net.TCPConn) {
	defer c.Close()
	buf := make([]byte, t.bufSize)
	go func() { // notice the peer closing
		var b [512]byte
		for {
			if _, err := c.Read(b[:]); err != nil {
				c.Close()
				return
			}
		}
	}()
	for {
		if _, err := c.Write(buf); err != nil {
			return
		}
	}
}

func (t *targets) handleEcho(c *net.TCPConn) {
	defer c.Close()
	var buf [4096]byte
	for {
		n, err := c.Read(buf[:])
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// handleEchoClose echoes until closeAfter bytes have been echoed, then
// closes first, so the TIME_WAIT state stays on this listening port instead
// of eating the proxy's (and the client's) ephemeral ports.
func (t *targets) handleEchoClose(c *net.TCPConn) {
	defer c.Close()
	var buf [4096]byte
	left := t.closeAfter
	for left > 0 {
		n, err := c.Read(buf[:min(left, len(buf))])
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
			left -= n
		}
		if err != nil {
			return
		}
	}
}

func (t *targets) serveUDP() {
	buf := make([]byte, 65536)
	for {
		n, from, err := t.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			time.Sleep(time.Millisecond)
			continue
		}
		_, _ = t.udp.WriteToUDPAddrPort(buf[:n], from)
	}
}

// cmdTargets runs the targets standalone (for manual testing) until
// interrupted or --max-time passes.
func cmdTargets(args []string) error {
	fs := flag.NewFlagSet("targets", flag.ExitOnError)
	maxTime := fs.Duration("max-time", 10*time.Minute, "exit after this long")
	_ = fs.Parse(args)
	t, err := startTargets(128 << 10)
	if err != nil {
		return err
	}
	if err := emit(map[string]string{
		"tcp_sink": t.sinkAddr().String(), "tcp_source": t.sourceAddr().String(),
		"tcp_echo": t.echoAddr().String(), "udp_echo": t.udpAddr().String(),
		"tcp_echo_close_after_32": t.echoCloseAddr().String(),
	}); err != nil {
		return err
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	select {
	case <-ch:
	case <-time.After(*maxTime):
	}
	return nil
}
