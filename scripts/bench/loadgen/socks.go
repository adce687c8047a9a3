package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"
)

// socksClient is a minimal SOCKS5 client: RFC 1928 greeting, CONNECT and
// UDP ASSOCIATE with IPv4 addresses, and RFC 1929 username/password.
type socksClient struct {
	addr        string
	user, pass  string // user == "": offer only method 0x00 (no auth)
	dialTimeout time.Duration
}

var replyText = map[byte]string{
	1: "general failure", 2: "not allowed by ruleset", 3: "network unreachable",
	4: "host unreachable", 5: "connection refused", 6: "TTL expired",
	7: "command not supported", 8: "address type not supported",
}

// handshake does the greeting (and auth) on c and sends one request; it
// returns the BND.ADDR:BND.PORT of the reply. buf must have >= 600 bytes.
func (s *socksClient) handshake(c net.Conn, cmd byte, dst netip.AddrPort, buf []byte) (netip.AddrPort, error) {
	var none netip.AddrPort
	b := buf[:0]
	if s.user == "" {
		b = append(b, 5, 1, 0)
	} else {
		b = append(b, 5, 1, 2)
	}
	if _, err := c.Write(b); err != nil {
		return none, fmt.Errorf("greeting write: %w", err)
	}
	if _, err := io.ReadFull(c, buf[:2]); err != nil {
		return none, fmt.Errorf("greeting read: %w", err)
	}
	if buf[0] != 5 {
		return none, fmt.Errorf("greeting: bad version %d", buf[0])
	}
	want := byte(0)
	if s.user != "" {
		want = 2
	}
	if buf[1] != want {
		return none, fmt.Errorf("greeting: server chose method 0x%02x, want 0x%02x", buf[1], want)
	}
	if s.user != "" {
		b = buf[:0]
		b = append(b, 1, byte(len(s.user)))
		b = append(b, s.user...)
		b = append(b, byte(len(s.pass)))
		b = append(b, s.pass...)
		if _, err := c.Write(b); err != nil {
			return none, fmt.Errorf("auth write: %w", err)
		}
		if _, err := io.ReadFull(c, buf[:2]); err != nil {
			return none, fmt.Errorf("auth read: %w", err)
		}
		if buf[1] != 0 {
			return none, fmt.Errorf("auth rejected (status %d)", buf[1])
		}
	}
	b = buf[:0]
	b = append(b, 5, cmd, 0)
	b = appendAddr(b, dst)
	if _, err := c.Write(b); err != nil {
		return none, fmt.Errorf("request write: %w", err)
	}
	if _, err := io.ReadFull(c, buf[:4]); err != nil {
		return none, fmt.Errorf("reply read: %w", err)
	}
	if buf[0] != 5 {
		return none, fmt.Errorf("reply: bad version %d", buf[0])
	}
	if rep := buf[1]; rep != 0 {
		return none, fmt.Errorf("reply: %d %s", rep, replyText[rep])
	}
	var ip netip.Addr
	switch buf[3] {
	case 1:
		if _, err := io.ReadFull(c, buf[:6]); err != nil {
			return none, fmt.Errorf("reply addr: %w", err)
		}
		ip = netip.AddrFrom4([4]byte(buf[:4]))
		return netip.AddrPortFrom(ip, uint16(buf[4])<<8|uint16(buf[5])), nil
	case 4:
		if _, err := io.ReadFull(c, buf[:18]); err != nil {
			return none, fmt.Errorf("reply addr: %w", err)
		}
		ip = netip.AddrFrom16([16]byte(buf[:16]))
		return netip.AddrPortFrom(ip, uint16(buf[16])<<8|uint16(buf[17])), nil
	case 3:
		if _, err := io.ReadFull(c, buf[:1]); err != nil {
			return none, fmt.Errorf("reply addr: %w", err)
		}
		n := int(buf[0]) + 2
		if _, err := io.ReadFull(c, buf[:n]); err != nil {
			return none, fmt.Errorf("reply addr: %w", err)
		}
		return none, nil // a name: not usable as a relay address; caller falls back
	default:
		return none, fmt.Errorf("reply: bad address type %d", buf[3])
	}
}

func appendAddr(b []byte, a netip.AddrPort) []byte {
	ip := a.Addr().Unmap()
	if ip.Is4() {
		b = append(b, 1)
		v := ip.As4()
		b = append(b, v[:]...)
	} else {
		b = append(b, 4)
		v := ip.As16()
		b = append(b, v[:]...)
	}
	return append(b, byte(a.Port()>>8), byte(a.Port()))
}

// udpHeaderLen returns the length of the SOCKS5 UDP request header at the
// start of p (RFC 1928 section 7), or an error.
func udpHeaderLen(p []byte) (int, error) {
	if len(p) < 4 {
		return 0, errors.New("short udp header")
	}
	if p[2] != 0 {
		return 0, errors.New("fragmented udp datagram")
	}
	var n int
	switch p[3] {
	case 1:
		n = 4 + 4 + 2
	case 4:
		n = 4 + 16 + 2
	case 3:
		if len(p) < 5 {
			return 0, errors.New("short udp header")
		}
		n = 4 + 1 + int(p[4]) + 2
	default:
		return 0, errors.New("bad udp address type")
	}
	if len(p) < n {
		return 0, errors.New("short udp header")
	}
	return n, nil
}

// dialThrough opens a TCP connection to dst, through the proxy when s != nil.
// The whole setup is bounded by deadline.
func dialThrough(s *socksClient, dst netip.AddrPort, deadline time.Time, buf []byte) (net.Conn, error) {
	d := net.Dialer{Deadline: deadline}
	if s == nil {
		return d.Dial("tcp", dst.String())
	}
	c, err := d.Dial("tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("dial proxy: %w", err)
	}
	_ = c.SetDeadline(deadline)
	if _, err := s.handshake(c, 1, dst, buf); err != nil {
		c.Close()
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}
