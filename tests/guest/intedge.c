/*
 * intedge.c — integer edge cases, checked against the RISC-V unprivileged
 * spec worked by hand:
 *  - M extension, "division by zero and division overflow" table:
 *    x/0 = -1 (all ones) for DIV and DIVU, x%0 = x; the overflow case
 *    INT64_MIN / -1 = INT64_MIN with remainder 0. The W forms do the same
 *    on 32 bits and sign-extend the 32-bit result.
 *  - MULH/MULHU/MULHSU return the high 64 bits of the 128-bit product.
 *  - Register shifts use only the low 6 bits of rs2 (5 bits for *W).
 *  - ADDW/SUBW/SLLW... sign-extend bit 31 of the 32-bit result.
 *  - FCVT to an integer saturates (F chapter, conversion table): NaN and
 *    +inf give the largest value, -inf the smallest, negative values to
 *    an unsigned type give 0.
 *  - A extension: AMOs return the old value (sign-extended for .W) and
 *    store the new one; AMOMAX/AMOMIN compare signed, AMOMAXU/MINU
 *    unsigned; a failed compare-and-swap leaves memory alone.
 * The instructions are written as inline assembly so that C's undefined
 * behaviour for these cases cannot change what is tested.
 * guest-variants: glibc picolibc clang
 */
#include <stdint.h>
#include <stdio.h>
#include "check.h"

#define OP2(name, insn)                                                      \
	static uint64_t name(uint64_t a, uint64_t b)                         \
	{                                                                    \
		uint64_t r;                                                  \
		__asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); \
		return r;                                                    \
	}

OP2(div_, "div")
OP2(divu_, "divu")
OP2(rem_, "rem")
OP2(remu_, "remu")
OP2(divw_, "divw")
OP2(divuw_, "divuw")
OP2(remw_, "remw")
OP2(remuw_, "remuw")
OP2(mul_, "mul")
OP2(mulh_, "mulh")
OP2(mulhu_, "mulhu")
OP2(mulhsu_, "mulhsu")
OP2(mulw_, "mulw")
OP2(sll_, "sll")
OP2(srl_, "srl")
OP2(sra_, "sra")
OP2(sllw_, "sllw")
OP2(srlw_, "srlw")
OP2(sraw_, "sraw")
OP2(addw_, "addw")
OP2(subw_, "subw")
OP2(slt_, "slt")
OP2(sltu_, "sltu")

#define CVT(name, insn, type)                                                \
	static uint64_t name(type x)                                         \
	{                                                                    \
		uint64_t r;                                                  \
		__asm__ volatile(insn " %0, %1, rtz" : "=r"(r) : "f"(x));    \
		return r;                                                    \
	}

CVT(fcvt_l_d, "fcvt.l.d", double)
CVT(fcvt_lu_d, "fcvt.lu.d", double)
CVT(fcvt_w_d, "fcvt.w.d", double)
CVT(fcvt_wu_d, "fcvt.wu.d", double)
CVT(fcvt_w_s, "fcvt.w.s", float)

#define MIN64 0x8000000000000000ull
#define ALL 0xffffffffffffffffull

int main(void)
{
	volatile double zero = 0.0, inf = 1.0 / zero, nan = zero / zero;

	check_u64("div by zero", div_(1234, 0), ALL);
	check_u64("divu by zero", divu_(1234, 0), ALL);
	check_u64("rem by zero", rem_((uint64_t)-1234, 0), (uint64_t)-1234);
	check_u64("remu by zero", remu_(1234, 0), 1234);
	check_u64("div overflow", div_(MIN64, ALL), MIN64);
	check_u64("rem overflow", rem_(MIN64, ALL), 0);
	check_u64("div rounds toward zero", div_((uint64_t)-7, 2), (uint64_t)-3);
	check_u64("rem takes the dividend's sign", rem_((uint64_t)-7, 2), (uint64_t)-1);
	check_u64("divw by zero", divw_(5, 0), ALL);
	check_u64("divuw by zero", divuw_(5, 0), ALL);
	check_u64("remw by zero sign-extends", remw_(0x80000001u, 0), 0xffffffff80000001ull);
	check_u64("remuw by zero sign-extends", remuw_(0x80000001u, 0), 0xffffffff80000001ull);
	check_u64("divw overflow", divw_(0x80000000u, ALL), 0xffffffff80000000ull);
	check_u64("remw overflow", remw_(0x80000000u, ALL), 0);
	check_u64("divw ignores the upper bits", divw_(0x1234567800000010ull, 0xff00000000000004ull), 4);
	check_u64("divuw", divuw_(0xfffffffeu, 2), 0x7fffffff);

	check_u64("mul wraps", mul_(0x100000000ull, 0x100000000ull), 0);
	check_u64("mulh of MIN*-1", mulh_(MIN64, ALL), 0);
	check_u64("mulh of -1*-1", mulh_(ALL, ALL), 0);
	check_u64("mulhu of max*max", mulhu_(ALL, ALL), 0xfffffffffffffffeull);
	check_u64("mulhsu of -1*max", mulhsu_(ALL, ALL), ALL);
	check_u64("mulh of 2^62*4", mulh_(1ull << 62, 4), 1);
	check_u64("mulw sign-extends", mulw_(0x10000, 0x8000), 0xffffffff80000000ull);

	check_u64("sll uses 6 bits of the amount", sll_(1, 65), 2);
	check_u64("srl by 64+63", srl_(MIN64, 127), 1);
	check_u64("sra keeps the sign", sra_(MIN64, 63), ALL);
	check_u64("sllw uses 5 bits and sign-extends", sllw_(1, 63), 0xffffffff80000000ull);
	check_u64("srlw zero-fills bit 31 then sign-extends", srlw_(0xffffffff80000000ull, 0), 0xffffffff80000000ull);
	check_u64("srlw by 1", srlw_(0x80000000u, 1), 0x40000000);
	check_u64("sraw", sraw_(0x80000000u, 4), 0xfffffffff8000000ull);
	check_u64("addw overflow sign-extends", addw_(0x7fffffff, 1), 0xffffffff80000000ull);
	check_u64("subw", subw_(0, 1), ALL);
	check_u64("slt signed", slt_(ALL, 0), 1);
	check_u64("sltu unsigned", sltu_(ALL, 0), 0);

	check_u64("fcvt.l.d NaN", fcvt_l_d(nan), 0x7fffffffffffffffull);
	check_u64("fcvt.l.d +inf", fcvt_l_d(inf), 0x7fffffffffffffffull);
	check_u64("fcvt.l.d -inf", fcvt_l_d(-inf), MIN64);
	check_u64("fcvt.l.d 1e30", fcvt_l_d(1e30), 0x7fffffffffffffffull);
	check_u64("fcvt.l.d -2.7 rtz", fcvt_l_d(-2.7), (uint64_t)-2);
	check_u64("fcvt.lu.d -5", fcvt_lu_d(-5.0), 0);
	check_u64("fcvt.lu.d 1e30", fcvt_lu_d(1e30), ALL);
	check_u64("fcvt.w.d NaN", fcvt_w_d(nan), 0x7fffffff);
	check_u64("fcvt.w.d -1e10", fcvt_w_d(-1e10), 0xffffffff80000000ull);
	check_u64("fcvt.wu.d -1", fcvt_wu_d(-1.0), 0);
	check_u64("fcvt.wu.d 4e9 sign-extends", fcvt_wu_d(4e9), 0xffffffffee6b2800ull);
	check_u64("fcvt.w.s 3.99", fcvt_w_s(3.99f), 3);

	/* A extension through the compiler's atomic builtins */
	int32_t w = 0x7fffffff;
	int64_t d = -5;
	uint64_t u = 7;
	check_u64("amoadd.w returns the old value", (uint64_t)(int64_t)__atomic_fetch_add(&w, 1, __ATOMIC_SEQ_CST), 0x7fffffff);
	check_u64("amoadd.w wrapped", (uint64_t)(int64_t)w, 0xffffffff80000000ull);
	check_u64("amoswap.d", (uint64_t)__atomic_exchange_n(&d, 42, __ATOMIC_SEQ_CST), (uint64_t)-5);
	check_u64("amoor.d", __atomic_fetch_or(&u, 0x30, __ATOMIC_SEQ_CST), 7);
	check_u64("amoor.d result", u, 0x37);
	check_u64("amoand.d", __atomic_and_fetch(&u, 0xf0, __ATOMIC_SEQ_CST), 0x30);
	check_u64("amoxor.d", __atomic_xor_fetch(&u, ALL, __ATOMIC_SEQ_CST), ~0x30ull);
	int64_t expect = 41;
	int ok = __atomic_compare_exchange_n(&d, &expect, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	check("failed CAS leaves memory and reports the value", !ok && d == 42 && expect == 42);
	ok = __atomic_compare_exchange_n(&d, &expect, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	check("successful CAS stores", ok && d == 1);
	{
		int64_t m = -3, r;
		uint64_t mu = 5, ru;
		__asm__ volatile("amomax.d %0, %2, (%1)" : "=r"(r) : "r"(&m), "r"((int64_t)-9) : "memory");
		check("amomax.d compares signed", r == -3 && m == -3);
		__asm__ volatile("amomaxu.d %0, %2, (%1)" : "=r"(ru) : "r"(&mu), "r"(ALL) : "memory");
		check("amomaxu.d compares unsigned", ru == 5 && mu == ALL);
		int32_t mw = 3, rw;
		__asm__ volatile("amomin.w %0, %2, (%1)" : "=r"(rw) : "r"(&mw), "r"(-1) : "memory");
		check("amomin.w", rw == 3 && mw == -1);
	}

	/* the same divisions through C with opaque operands */
	volatile int64_t a = INT64_MIN, b = -1, zero_i = 0;
	volatile uint64_t ua = 99;
	printf("C: INT64_MIN/-1 = %lld, INT64_MIN%%-1 = %lld, 7/0 = %lld, 7%%0 = %lld, 99u/0 = %llu\n",
	       (long long)(a / b), (long long)(a % b), (long long)(7 / zero_i),
	       (long long)(7 % zero_i), (unsigned long long)(ua / (uint64_t)zero_i));

	/* 128-bit arithmetic through libgcc */
	unsigned __int128 x = ((unsigned __int128)1 << 100) + 12345, y = ((unsigned __int128)1 << 40) + 7;
	unsigned __int128 q = x / y, r = x % y;
	check("128-bit q*y+r == x", q * y + r == x && r < y);
	printf("2^100+12345 = (2^40+7) * %llx%016llx + %llx\n", (unsigned long long)(q >> 64),
	       (unsigned long long)q, (unsigned long long)r);
	return check_failures ? 1 : 0;
}
