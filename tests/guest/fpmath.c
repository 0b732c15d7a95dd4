/*
 * fpmath.c — floating point through the C library: printf of doubles and
 * floats in many formats, strtod, libm (float and double), fma, the four
 * directed rounding modes with fesetround, and the IEEE exception flags.
 *
 * Hand-worked expectations (IEEE 754-2008 and the RISC-V F/D chapters):
 *  - sqrt is correctly rounded: sqrt(2) = 0x1.6a09e667f3bcdp+0.
 *  - 1/3 = 0x1.5555555555555|5...p-2: truncation leaves 0x...5555, the
 *    discarded part is 1/3 ulp, so RNE, RDN and RTZ give ...5555 and RUP
 *    gives ...5556; -1/3 mirrors it (RDN gives the larger magnitude).
 *  - rint(2.5) is 2 (RNE, ties to even), 2 (RDN), 3 (RUP), 2 (RTZ);
 *    rint(-2.5) is -2, -3, -2, -2.
 *  - x + (-x) is +0 in every mode but RDN, where it is -0.
 *  - fma(1+2^-30, 1-2^-30, -1) = -2^-60 exactly, while the unfused
 *    product rounds to 1 (1-2^-60 is within half an ulp of 1), giving 0;
 *    likewise fmaf(1+2^-13, 1-2^-13, -1) = -2^-26 (float ulp below 1 is
 *    2^-24).
 *  - 0/0 produces the canonical NaN 0x7ff8000000000000 (RISC-V: every
 *    arithmetic NaN result is canonical).
 *  - flags: 1/3 inexact; 1/0 divide-by-zero; 0/0 and sqrt(-1) invalid;
 *    DBL_MAX*2 overflow+inexact; DBL_MIN/3 underflow+inexact; 2*3 none.
 * -ffp-contract=off keeps a*b-c from being fused behind our back.
 * guest-cflags: -frounding-math -ffp-contract=off -lm
 * guest-variants: glibc picolibc clang
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

static uint64_t bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

static const char *flag_names(void)
{
	static char buf[64];
	buf[0] = 0;
	if (fetestexcept(FE_INVALID)) strcat(buf, " invalid");
	if (fetestexcept(FE_DIVBYZERO)) strcat(buf, " divbyzero");
	if (fetestexcept(FE_OVERFLOW)) strcat(buf, " overflow");
	if (fetestexcept(FE_UNDERFLOW)) strcat(buf, " underflow");
	if (fetestexcept(FE_INEXACT)) strcat(buf, " inexact");
	return buf[0] ? buf + 1 : "none";
}

/* volatile so every operation happens at run time, in the current mode */
static volatile double one = 1.0, two = 2.0, three = 3.0, zero = 0.0,
		       two_half = 2.5, big = DBL_MAX, tiny = DBL_MIN;
static volatile float onef = 1.0f, threef = 3.0f, bigf = FLT_MAX;

static void print_formats(void)
{
	static const double v[] = {
		0.0, 1.0, -1.5, 0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300, 5e-324,
		2.2250738585072014e-308, DBL_MAX, 1e22, 1e23, 123456789.125,
		0.5, 2.5, 1e15 + 0.3, 9007199254740993.0, 6.02214076e23,
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		printf("%.17g | %f | %.0f | %.3e | %g | %a | %10.4f | %-12.3e| %+g | %#g\n",
		       v[i], v[i], v[i], v[i], v[i], v[i], v[i], v[i], v[i], v[i]);
	double special[] = { -zero, one / zero, -one / zero };
	for (size_t i = 0; i < 3; i++)
		printf("%f %e %g %a %5.1f\n", special[i], special[i], special[i],
		       special[i], special[i]);
	printf("nan is nan: %d, isnan %d, isinf(1/0) %d, signbit(-0) %d\n",
	       (zero / zero) != (zero / zero), isnan(zero / zero) != 0,
	       isinf(one / zero) != 0, signbit(-zero) != 0);
	printf("%.0f %.0f %.0f %.0f (halfway cases)\n",
	       0.5, 1.5, 2.5, 3.5);
	float f[] = { 0.1f, 1.0f / 3.0f, 16777217.0f, FLT_MAX, FLT_MIN, 1e-45f };
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		printf("float %.9g %a %e\n", (double)f[i], (double)f[i], (double)f[i]);
}

static void print_strtod(void)
{
	static const char *in[] = {
		"0.1", "1e400", "-1e-400", "4.9e-324", "0x1.8p1", "  -12.5e-1xyz",
		"inf", "-nan", "2.2250738585072011e-308", "1.7976931348623157e308",
	};
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		char *end;
		double d = strtod(in[i], &end);
		printf("strtod(\"%s\") = %a, rest \"%s\"\n", in[i], d, end);
	}
	float g = strtof("0.1", NULL);
	printf("strtof(\"0.1\") = %a\n", (double)g);
}

static void print_libm(void)
{
	static const double x[] = { 0.5, 1.0, 2.0, 10.0, -0.75, 1e-8, 100.25 };
	for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) {
		double a = x[i];
		printf("x=%g sqrt %a exp %a log %a sin %a cos %a tan %a\n", a,
		       sqrt(fabs(a)), exp(a), log(fabs(a)), sin(a), cos(a), tan(a));
		printf("    atan2 %a pow %a cbrt %a hypot %a expm1 %a log1p %a\n",
		       atan2(a, 3.0), pow(fabs(a), 1.7), cbrt(a), hypot(a, 4.0),
		       expm1(a), log1p(fabs(a)));
		printf("    floor %g ceil %g round %g trunc %g fmod %a remainder %a\n",
		       floor(a * 3.3), ceil(a * 3.3), round(a * 3.3), trunc(a * 3.3),
		       fmod(a * 7.0, 2.5), remainder(a * 7.0, 2.5));
		float af = (float)a;
		printf("    sqrtf %a expf %a logf %a sinf %a powf %a\n",
		       (double)sqrtf(fabsf(af)), (double)expf(af), (double)logf(fabsf(af)),
		       (double)sinf(af), (double)powf(fabsf(af), 0.5f));
	}
	int e;
	double m = frexp(1234.5, &e);
	double ip, fp = modf(-3.75, &ip);
	printf("frexp(1234.5) = %g * 2^%d, ldexp(0.75, 10) = %g, modf(-3.75) = %g + %g\n",
	       m, e, ldexp(0.75, 10), ip, fp);
	printf("fmin(-0,0) sign %d, fmax(-0,0) sign %d, fmin(nan,1) %g\n",
	       signbit(fmin(-zero, zero)) != 0, signbit(fmax(-zero, zero)) != 0,
	       fmin(zero / zero, one));
}

static void rounding_modes(void)
{
	static const struct { int mode; const char *name; uint64_t third, mthird;
			      double r25, rm25; int negzero; } m[] = {
		{ FE_TONEAREST,  "nearest",  0x3fd5555555555555ull, 0xbfd5555555555555ull, 2, -2, 0 },
		{ FE_DOWNWARD,   "downward", 0x3fd5555555555555ull, 0xbfd5555555555556ull, 2, -3, 1 },
		{ FE_UPWARD,     "upward",   0x3fd5555555555556ull, 0xbfd5555555555555ull, 3, -2, 0 },
		{ FE_TOWARDZERO, "towardzero", 0x3fd5555555555555ull, 0xbfd5555555555555ull, 2, -2, 0 },
	};
	char what[64];
	for (size_t i = 0; i < 4; i++) {
		if (fesetround(m[i].mode) != 0) {
			printf("fesetround(%s) failed\n", m[i].name);
			check_failures++;
			continue;
		}
		double third = one / three, mthird = -one / three;
		double r25 = rint(two_half), rm25 = rint(-two_half);
		double z = two + (-two);
		float tf = onef / threef;
		double s2 = sqrt(two);
		printf("%-10s 1/3 %a -1/3 %a rint(2.5) %g rint(-2.5) %g 2-2 %g "
		       "1/3f %a sqrt2 %a lrint(-2.5) %ld nearbyint(0.5) %g %.20f\n",
		       m[i].name, third, mthird, r25, rm25, z, (double)tf, s2,
		       lrint(-two_half), nearbyint(one / two), third);
		snprintf(what, sizeof what, "%s: 1/3 and -1/3", m[i].name);
		check(what, bits(third) == m[i].third && bits(mthird) == m[i].mthird);
		snprintf(what, sizeof what, "%s: rint(+-2.5)", m[i].name);
		check(what, r25 == m[i].r25 && rm25 == m[i].rm25);
		snprintf(what, sizeof what, "%s: sign of 2-2", m[i].name);
		check(what, (signbit(z) != 0) == m[i].negzero);
		snprintf(what, sizeof what, "%s: fegetround", m[i].name);
		check(what, fegetround() == m[i].mode);
	}
	fesetround(FE_TONEAREST);
}

static void exception_flags(void)
{
	static const char *const want[] = {
		"inexact", "divbyzero", "invalid", "invalid", "overflow inexact",
		"underflow inexact", "none", "inexact", "overflow inexact", "overflow",
	};
	volatile double r;
	volatile float rf;
	const char *got[10];
	char what[64];

	for (int i = 0; i < 10; i++) {
		feclearexcept(FE_ALL_EXCEPT);
		switch (i) {
		case 0: r = one / three; break;
		case 1: r = one / zero; break;
		case 2: r = zero / zero; break;
		case 3: r = sqrt(-one); break;
		case 4: r = big * two; break;
		case 5: r = tiny / three; break;
		case 6: r = two * three; break;
		case 7: rf = onef / threef; break;
		case 8: rf = bigf * 2.0f; break;
		case 9: feraiseexcept(FE_OVERFLOW); break;
		}
		got[i] = flag_names();
		printf("case %d flags: %s\n", i, got[i]);
		snprintf(what, sizeof what, "flags of case %d", i);
		check(what, strcmp(got[i], want[i]) == 0);
	}
	(void)r;
	(void)rf;
	feclearexcept(FE_ALL_EXCEPT);
	r = zero / zero;
	check_u64("0/0 is the canonical NaN", bits(r), 0x7ff8000000000000ull);
	check_u64("sqrt(2) correctly rounded", bits(sqrt(two)), 0x3ff6a09e667f3bcdull);
	volatile double va = 0x1.00000004p0, vb = 0x1.fffffff8p-1; /* 1 +- 2^-30 */
	check_u64("fma is fused", bits(fma(va, vb, -one)), bits(-0x1p-60));
	check_u64("unfused product rounds to 1", bits(va * vb - one), 0);
	volatile float fa = 1.0f + 0x1p-13f, fb = 1.0f - 0x1p-13f;
	check_u64("fmaf is fused", bits((double)fmaf(fa, fb, -onef)), bits(-0x1p-26));
	check_u64("unfused float product rounds to 1", bits((double)(fa * fb - onef)), 0);
}

int main(void)
{
	print_formats();
	print_strtod();
	print_libm();
	rounding_modes();
	exception_flags();
	return check_failures ? 1 : 0;
}
