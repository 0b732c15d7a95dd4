// goroutines.go — Go's runtime on mvm: goroutines spread over several
// threads (sync.WaitGroup, a channel pipeline), a mutex-protected counter,
// and asynchronous preemption: with one P, a goroutine spinning without
// calls must be preempted by a signal (SIGURG) for main to run again.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

var spin uint64

func main() {
	// 8 goroutines with known sums: sum_{k<n} k%7 for n = 10^6 (i+1).
	var wg sync.WaitGroup
	results := make([]int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			s := 0
			for k := 0; k < 1000000*(n+1); k++ {
				s += k % 7
			}
			results[n] = s
		}(i)
	}
	wg.Wait()
	fmt.Println("sums", results)

	// A pipeline: squares of 1..100 through two channels, summed: 338350.
	in, out := make(chan int), make(chan int)
	go func() {
		for i := 1; i <= 100; i++ {
			in <- i
		}
		close(in)
	}()
	go func() {
		for v := range in {
			out <- v * v
		}
		close(out)
	}()
	total := 0
	for v := range out {
		total += v
	}
	fmt.Println("pipeline", total)

	// 4 goroutines x 10000 increments under a mutex: 40000.
	var mu sync.Mutex
	count := 0
	var wg2 sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for k := 0; k < 10000; k++ {
				mu.Lock()
				count++
				mu.Unlock()
			}
		}()
	}
	wg2.Wait()
	fmt.Println("count", count)

	runtime.GOMAXPROCS(1)
	go func() {
		for {
			spin++
		}
	}()
	time.Sleep(20 * time.Millisecond)
	fmt.Println("preempted")
}
