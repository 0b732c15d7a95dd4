/*
 * recursion.c — deep and branchy recursion: a 40000-frame chain that keeps
 * a live array in every frame (about 4 MiB of stack, so the guest stack
 * must grow well past its first pages), Ackermann, naive Fibonacci, mutual
 * recursion and recursion through function pointers. Expected values are
 * worked by hand: fib(24) = 46368, A(2,3) = 2*3+3 = 9, A(3,5) = 2^8-3 = 253,
 * and the chain sums 0..n-1 and n(n-1)/2 style closed forms.
 * guest-variants: glibc picolibc clang
 */
#include <stdint.h>
#include <stdio.h>
#include "check.h"

__attribute__((noinline)) static uint64_t chain(uint32_t depth, uint32_t max)
{
	volatile uint32_t frame[24];

	for (int i = 0; i < 24; i++)
		frame[i] = depth + (uint32_t)i;
	if (depth == max)
		return 0;
	uint64_t below = chain(depth + 1, max);
	/* use the frame after the call so it cannot be discarded early */
	return below + frame[0] + (frame[23] - frame[0] - 23);
}

static unsigned ackermann(unsigned m, unsigned n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ackermann(m - 1, 1);
	return ackermann(m - 1, ackermann(m, n - 1));
}

__attribute__((noinline)) static unsigned fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static int is_odd(unsigned n);
__attribute__((noinline)) static int is_even(unsigned n)
{
	return n == 0 ? 1 : is_odd(n - 1);
}
__attribute__((noinline)) static int is_odd(unsigned n)
{
	return n == 0 ? 0 : is_even(n - 1);
}

typedef uint64_t (*step_fn)(int n, const void *self);

static uint64_t via_pointer(int n, const void *self)
{
	step_fn f = (step_fn)(uintptr_t)self;
	if (n == 0)
		return 1;
	return (uint64_t)n * f(n - 1, self) % 1000000007u;
}

/* Tower of Hanoi: counts moves and a checksum of the move sequence. */
static void hanoi(int n, int from, int to, int via, uint64_t *moves, uint64_t *sum)
{
	if (n == 0)
		return;
	hanoi(n - 1, from, via, to, moves, sum);
	++*moves;
	*sum = *sum * 31 + (uint64_t)(from * 3 + to);
	hanoi(n - 1, via, to, from, moves, sum);
}

int main(void)
{
	const uint32_t depth = 40000;
	uint64_t c = chain(0, depth);
	printf("chain(%u) = %llu\n", depth, (unsigned long long)c);
	check("chain sums 0..depth-1", c == (uint64_t)depth * (depth - 1) / 2);

	unsigned a23 = ackermann(2, 3), a35 = ackermann(3, 5);
	printf("A(2,3) = %u, A(3,5) = %u\n", a23, a35);
	check("Ackermann", a23 == 9 && a35 == 253);

	unsigned f = fib(24);
	printf("fib(24) = %u\n", f);
	check("fib(24) = 46368", f == 46368);

	printf("is_even(10001) = %d, is_odd(7777) = %d\n", is_even(10001), is_odd(7777));

	uint64_t fact = via_pointer(2000, (const void *)(uintptr_t)via_pointer);
	printf("2000! mod 1e9+7 = %llu\n", (unsigned long long)fact);

	uint64_t moves = 0, sum = 0;
	hanoi(16, 0, 2, 1, &moves, &sum);
	printf("hanoi(16): %llu moves, checksum %llu\n", (unsigned long long)moves,
	       (unsigned long long)sum);
	check("hanoi(16) takes 2^16-1 moves", moves == 65535);
	return check_failures ? 1 : 0;
}
