/* bcvm.c — a bytecode interpreter: a stack machine with a switch dispatch
 * loop (the shape of Lua's, Python's or a regex engine's), running a
 * recursive Fibonacci. Every
 * instruction is an indirect branch on data, loads and stores to the
 * operand stack and a bounds-free fetch of the next opcode. (The switch
 * holds the opcodes of a small general machine, most of them unused by
 * this program, as an interpreter's jump table does.)
 *
 * Self-test: the bytecode's fib(20) = 6765 and fib(25) = 75025 (values
 * from the definition, F(0) = 0, F(1) = 1); the run computes fib(SIZE). */
#include "kernel.h"

enum { PUSH, LOAD, STORE, ADD, SUB, LT, JZ, JMP, CALL, RET, DUP, ARG, HALT, XOR, MULK, AND, ALOAD, ASTORE };

/* fib(n): if (n < 2) return n; return fib(n-1) + fib(n-2) */
static const int64_t fib_code[] = {
	/* 0 */ ARG, PUSH, 2, LT, JZ, 8,
	/* 6 */ ARG, RET,
	/* 8 */ ARG, PUSH, 1, SUB, CALL, 0,
	/* 14 */ ARG, PUSH, 2, SUB, CALL, 0,
	/* 20 */ ADD, RET,
};

/* Runs code from pc 0 with arg on the stack; returns what the outermost RET gives. */
static int64_t run(const int64_t *code, int64_t arg, int64_t *mem)
{
	int64_t stack[4096], frames[2048 * 2];
	int sp = 0, fp = 0;
	int64_t pc = 0, a = arg;
	for (;;) {
		switch (code[pc++]) {
		case PUSH: stack[sp++] = code[pc++]; break;
		case LOAD: stack[sp++] = mem[code[pc++]]; break;
		case STORE: mem[code[pc++]] = stack[--sp]; break;
		case ADD: sp--; stack[sp - 1] += stack[sp]; break;
		case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
		case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
		case AND: sp--; stack[sp - 1] &= stack[sp]; break;
		case MULK: stack[sp - 1] *= code[pc++]; break;
		case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
		case JZ: { int64_t t = code[pc++]; if (!stack[--sp]) pc = t; break; }
		case JMP: pc = code[pc]; break;
		case DUP: stack[sp] = stack[sp - 1]; sp++; break;
		case ARG: stack[sp++] = a; break;
		case ALOAD: stack[sp - 1] = mem[stack[sp - 1] & 255]; break;
		case ASTORE: sp -= 2; mem[stack[sp + 1] & 255] = stack[sp]; break;
		case CALL:
			frames[fp++] = pc + 1;
			frames[fp++] = a;
			a = stack[--sp];
			pc = code[pc];
			break;
		case RET:
			if (fp == 0)
				return stack[--sp];
			a = frames[--fp];
			pc = frames[--fp];
			break;
		case HALT: return sp ? stack[sp - 1] : 0;
		}
	}
}

int main(int argc, char **argv)
{
	uint64_t n = kernel_size(argc, argv, 36);
	int64_t mem[256] = { 0 };
	if (run(fib_code, 20, mem) != 6765 || run(fib_code, 25, mem) != 75025) {
		fprintf(stderr, "bcvm self-test: fib(20), fib(25) are not 6765, 75025\n");
		return 1;
	}
	int64_t f = run(fib_code, (int64_t)n, mem);
	printf("bcvm fib(%llu)=%lld\n", (unsigned long long)n, (long long)f);
	return 0;
}
