/*
 * jmp.c — setjmp/longjmp: a jump out of deep recursion, nested jump
 * buffers, longjmp(buf, 0) returning 1 as C requires, volatile locals
 * keeping their values across the jump, and many repeated jumps (each
 * restores sp, ra, s0-s11 and fs0-fs11 from the buffer).
 * guest-variants: glibc picolibc clang
 */
#include <setjmp.h>
#include <stdio.h>
#include "check.h"

static jmp_buf outer, inner;
static int depth_reached;

__attribute__((noinline)) static void dive(int depth, int bail_at)
{
	volatile char pad[64];
	pad[0] = (char)depth;
	depth_reached = depth;
	if (depth == bail_at)
		longjmp(outer, depth + 1000 + (pad[0] - (char)depth));
	if (depth < bail_at)
		dive(depth + 1, bail_at);
}

__attribute__((noinline)) static double fp_work(double x)
{
	/* keeps values in callee-saved FP registers across the jump */
	register double a = x * 1.5, b = x * 2.25, c = x + 0.125;
	if (setjmp(inner) == 0) {
		longjmp(inner, 7);
	}
	return a + b + c;
}

int main(void)
{
	volatile int counter = 0;
	int r;

	r = setjmp(outer);
	if (r == 0) {
		dive(0, 5000);
		printf("not reached\n");
	}
	printf("longjmp out of recursion returned %d at depth %d\n", r, depth_reached);
	check("value passed through longjmp", r == 1000 + 5000);

	r = setjmp(outer);
	if (r == 0)
		longjmp(outer, 0);
	check("longjmp(buf, 0) makes setjmp return 1", r == 1);

	r = setjmp(outer);
	counter++;
	if (counter < 10000)
		longjmp(outer, counter);
	printf("after %d jumps: last value %d\n", counter, r);
	check("volatile local survives 10000 jumps", counter == 10000 && r == 9999);

	r = setjmp(outer);
	if (r == 0) {
		int r2 = setjmp(inner);
		if (r2 == 0)
			longjmp(inner, 2);
		printf("inner jump returned %d\n", r2);
		longjmp(outer, r2 + 1);
	}
	check("nested buffers", r == 3);

	double d = fp_work(4.0);
	printf("fp registers across setjmp: %.6f\n", d);
	check("fp value", d == 4.0 * 1.5 + 4.0 * 2.25 + 4.125);
	return check_failures ? 1 : 0;
}
