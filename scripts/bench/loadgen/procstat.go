package main

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// clkTck is USER_HZ, the unit of the times in /proc/<pid>/stat; it is 100
// on every Linux architecture Go supports.
const clkTck = 100

type procSnap struct {
	ok    bool
	cpuS  float64 // utime+stime+cutime+cstime summed over the tree
	procs int
	rssKB int64 // VmRSS summed over the tree (double counts shared pages)
	pssKB int64 // Pss from smaps_rollup summed over the tree
}

// readStat returns the parent PID and utime+stime+cutime+cstime (in ticks).
// cutime/cstime carry the CPU time of children that have exited and been
// reaped, so forking servers (danted) are fully accounted for.
func readStat(pid int) (ppid int, ticks int64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0, 0, false
	}
	f := bytes.Fields(b[i+2:])
	// f[0]=state (field 3), f[1]=ppid (4), utime is field 14 -> f[11]
	if len(f) < 15 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(string(f[1]))
	for _, k := range []int{11, 12, 13, 14} {
		v, _ := strconv.ParseInt(string(f[k]), 10, 64)
		ticks += v
	}
	return ppid, ticks, true
}

// treePids returns root and all its descendants.
func treePids(root int) []int {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	children := map[int][]int{}
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		ppid, _, ok := readStat(pid)
		if ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

func statusKB(pid int, path, key string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/" + path)
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if bytes.HasPrefix(line, []byte(key)) {
			f := bytes.Fields(line[len(key):])
			if len(f) > 0 {
				v, _ := strconv.ParseInt(string(f[0]), 10, 64)
				return v
			}
		}
	}
	return 0
}

func snapTree(root int, mem bool) procSnap {
	var s procSnap
	if _, _, ok := readStat(root); !ok {
		return s
	}
	s.ok = true
	for _, pid := range treePids(root) {
		_, t, ok := readStat(pid)
		if !ok {
			continue
		}
		s.procs++
		s.cpuS += float64(t) / clkTck
		if mem {
			s.rssKB += statusKB(pid, "status", "VmRSS:")
			s.pssKB += statusKB(pid, "smaps_rollup", "Pss:")
		}
	}
	return s
}

func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// systemCPU returns machine-wide busy CPU seconds (all of /proc/stat's first
// line except idle and iowait) and, of those, the softirq seconds.
func systemCPU() (busyS, softirqS float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return 0, 0
	}
	var busy, sirq int64
	for i, v := range f[1:9] { // user nice system idle iowait irq softirq steal
		n, _ := strconv.ParseInt(string(v), 10, 64)
		switch i {
		case 3, 4:
			continue
		case 6:
			sirq = n
		}
		busy += n
	}
	return float64(busy) / clkTck, float64(sirq) / clkTck
}
