module sockscale.dev/bench/loadgen

go 1.22
