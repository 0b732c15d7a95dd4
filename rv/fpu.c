/*
 * fpu.c — the soft reference of the FPU: IEEE 754 binary32 and binary64
 * done with integer arithmetic on the bit patterns, so every host computes
 * the same bits and the same flags (see fpu.h for the RISC-V choices).
 *
 * Both formats share one code path, parameterised by struct fmt. A finite
 * nonzero operand is unpacked to (sign, exp, sig): value = sig * 2^(exp-63)
 * with bit 63 of sig set (subnormals are normalised on the way in).
 * Every operation computes a 64-bit significand that is exact except for
 * a sticky bit ORed into bit 0 (lost nonzero bits), and round_pack()
 * rounds it once: that single rounding decides the result and NX/UF/OF.
 *
 *   binary32  | s | exponent (8) | fraction (23) |   bias 127
 *   binary64  | s | exponent (11) | fraction (52) |  bias 1023
 *
 * Spec: RISC-V Unprivileged ISA 20191213, chapters 11 (F) and 12 (D);
 * IEEE 754-2008 sections 4, 5, 6 and 7.
 */
#include "rv/fpu.h"

#define NV RV_FFLAGS_NV
#define DZ RV_FFLAGS_DZ
#define OF RV_FFLAGS_OF
#define UF RV_FFLAGS_UF
#define NX RV_FFLAGS_NX

struct fmt {
    int p;          /* precision in bits, hidden bit included */
    int ebits;      /* exponent field width */
    int32_t bias;
    uint32_t emax;  /* the all-ones exponent field */
};

static const struct fmt FMT_S = { 24, 8, 127, 255 };
static const struct fmt FMT_D = { 53, 11, 1023, 2047 };

enum kind { K_ZERO, K_FINITE, K_INF, K_QNAN, K_SNAN };

struct unp {
    int sign;
    int kind;
    int32_t exp;    /* K_FINITE: value = sig * 2^(exp - 63) */
    uint64_t sig;   /* K_FINITE: bit 63 set */
};

/* 128-bit unsigned as two halves: the same code on every host. */
struct u128 {
    uint64_t hi, lo;
};

static int clz64(uint64_t x)
{
#if defined(__GNUC__)
    return x ? __builtin_clzll(x) : 64;
#else
    int n = 0;
    if (!x)
        return 64;
    while (!(x & UINT64_C(0x8000000000000000))) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

/* Shift right by n, ORing every bit shifted out into bit 0. */
static uint64_t shr_jam64(uint64_t x, uint32_t n)
{
    if (n == 0)
        return x;
    if (n < 64)
        return x >> n | ((x << (64 - n)) != 0);
    return x != 0;
}

static struct u128 shr_jam128(struct u128 x, uint32_t n)
{
    struct u128 r;
    if (n == 0)
        return x;
    if (n < 64) {
        r.hi = x.hi >> n;
        r.lo = x.hi << (64 - n) | x.lo >> n | ((x.lo << (64 - n)) != 0);
    } else if (n == 64) {
        r.hi = 0;
        r.lo = x.hi | (x.lo != 0);
    } else if (n < 128) {
        r.hi = 0;
        r.lo = x.hi >> (n - 64) | ((x.hi << (128 - n)) != 0 || x.lo != 0);
    } else {
        r.hi = 0;
        r.lo = (x.hi | x.lo) != 0;
    }
    return r;
}

/* n < 128 */
static struct u128 shl128(struct u128 x, int n)
{
    struct u128 r;
    if (n == 0)
        return x;
    if (n < 64) {
        r.hi = x.hi << n | x.lo >> (64 - n);
        r.lo = x.lo << n;
    } else {
        r.hi = x.lo << (n - 64);
        r.lo = 0;
    }
    return r;
}

static int clz128(struct u128 x)
{
    return x.hi ? clz64(x.hi) : 64 + clz64(x.lo);
}

static struct u128 add128(struct u128 a, struct u128 b)
{
    struct u128 r;
    r.lo = a.lo + b.lo;
    r.hi = a.hi + b.hi + (r.lo < a.lo);
    return r;
}

/* a - b, a >= b */
static struct u128 sub128(struct u128 a, struct u128 b)
{
    struct u128 r;
    r.lo = a.lo - b.lo;
    r.hi = a.hi - b.hi - (a.lo < b.lo);
    return r;
}

static int lt128(struct u128 a, struct u128 b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

/* Full 64x64 -> 128-bit product from 32-bit halves. */
static struct u128 mul64(uint64_t a, uint64_t b)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    struct u128 r;
    r.lo = mid << 32 | (p00 & 0xffffffffu);
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return r;
}

static uint64_t sign_bit(const struct fmt *f)
{
    return UINT64_C(1) << (f->p - 1 + f->ebits);
}

static uint64_t canon_nan(const struct fmt *f)
{
    return f == &FMT_S ? FPU_QNAN_S : FPU_QNAN_D;
}

static uint64_t pack_inf(const struct fmt *f, int sign)
{
    return (sign ? sign_bit(f) : 0) | (uint64_t)f->emax << (f->p - 1);
}

static uint64_t pack_zero(const struct fmt *f, int sign)
{
    return sign ? sign_bit(f) : 0;
}

static struct unp unpack(const struct fmt *f, uint64_t x)
{
    int m = f->p - 1;
    uint64_t frac = x & ((UINT64_C(1) << m) - 1);
    uint32_t e = (uint32_t)(x >> m) & f->emax;
    struct unp u;
    u.sign = (int)(x >> (m + f->ebits)) & 1;
    u.exp = 0;
    u.sig = 0;
    if (e == f->emax) {
        if (frac == 0)
            u.kind = K_INF;
        else
            u.kind = (frac >> (m - 1)) & 1 ? K_QNAN : K_SNAN;
    } else if (e == 0) {
        if (frac == 0) {
            u.kind = K_ZERO;
        } else {
            /* value = frac * 2^(1 - bias - m) */
            int lz = clz64(frac);
            u.kind = K_FINITE;
            u.sig = frac << lz;
            u.exp = 64 - f->bias - m - lz;
        }
    } else {
        u.kind = K_FINITE;
        u.sig = (frac | UINT64_C(1) << m) << (63 - m);
        u.exp = (int32_t)e - f->bias;
    }
    return u;
}

static int is_nan(const struct unp *u)
{
    return u->kind >= K_QNAN;
}

/* Whether rounding away the bits rem (below the kept ones, half = the
 * weight of the first of them) increments the kept magnitude. */
static int round_up(unsigned rm, int sign, int odd, uint64_t rem, uint64_t half)
{
    switch (rm) {
    case FPU_RTZ:
        return 0;
    case FPU_RDN:
        return sign && rem;
    case FPU_RUP:
        return !sign && rem;
    case FPU_RMM:
        return rem >= half;
    default:
        return rem > half || (rem == half && odd);
    }
}

/*
 * Rounds (-1)^sign * sig * 2^(exp - 63) to format f: sig has bit 63 set and
 * carries a sticky bit in bit 0. Tininess is detected after rounding: the
 * result is tiny when rounding to f->p bits with an unbounded exponent
 * range gives a magnitude below the smallest normal.
 */
static uint64_t round_pack(const struct fmt *f, int sign, int32_t exp, uint64_t sig,
                           unsigned rm, uint32_t *fl)
{
    int shift = 64 - f->p;
    uint64_t mask = (UINT64_C(1) << shift) - 1, half = UINT64_C(1) << (shift - 1);
    int32_t e = exp + f->bias;   /* the biased exponent, if the result is normal */
    int tiny = 0;
    uint64_t rem, q, field;

    if (e <= 0) {
        /* Only a value in [2^(emin-1), 2^emin) can round up to 2^emin at
         * full precision (the kept bits all ones, and a carry). */
        if (e < 0)
            tiny = 1;
        else
            tiny = !((sig >> shift) == (UINT64_C(1) << f->p) - 1 &&
                     round_up(rm, sign, 1, sig & mask, half));
        /* Denormalise: the kept bits now count units of the smallest
         * subnormal, as if the exponent were the smallest normal one. */
        sig = shr_jam64(sig, (uint32_t)(1 - e));
        e = 1;
    }
    rem = sig & mask;
    q = sig >> shift;
    if (round_up(rm, sign, (int)(q & 1), rem, half))
        q++;
    if (rem) {
        *fl |= NX;
        if (tiny)
            *fl |= UF;
    }
    /* q holds the hidden bit, so adding it to (e - 1) carries into the
     * exponent: a subnormal rounding up to 2^emin, or a significand
     * rounding up to 2^p, both come out right. */
    field = ((uint64_t)(e - 1) << (f->p - 1)) + q;
    if (field >= (uint64_t)f->emax << (f->p - 1)) {
        *fl |= OF | NX;
        if (rm == FPU_RTZ || (rm == FPU_RDN && !sign) || (rm == FPU_RUP && sign))
            return pack_zero(f, sign) | (pack_inf(f, 0) - 1);
        return pack_inf(f, sign);
    }
    return pack_zero(f, sign) | field;
}

/* The NaN result of an operation with a NaN operand. */
static uint64_t nan_result(const struct fmt *f, int any_snan, uint32_t *fl)
{
    if (any_snan)
        *fl |= NV;
    return canon_nan(f);
}

static uint64_t invalid(const struct fmt *f, uint32_t *fl)
{
    *fl |= NV;
    return canon_nan(f);
}

/* The sign of an exact zero sum of operands of opposite signs (or of a
 * sum that cancels exactly): +0, except -0 when rounding down. */
static int zero_sum_sign(unsigned rm)
{
    return rm == FPU_RDN;
}

/*
 * Adds (-1)^sa * a * 2^(ea - 127) and (-1)^sb * b * 2^(eb - 127), both a
 * and b with bit 127 set and nonzero, then rounds once. The smaller operand
 * is aligned with a sticky shift: when the exponents differ by 2 or more
 * the difference loses at most 2 bits to normalisation, far above the
 * sticky bit; when they differ by less, nothing is shifted out (our
 * significands have at least 22 trailing zero bits).
 */
static uint64_t add_core(const struct fmt *f, int sa, int32_t ea, struct u128 a,
                         int sb, int32_t eb, struct u128 b, unsigned rm, uint32_t *fl)
{
    struct u128 s;
    int n;
    /* A spare top bit for the carry of a same-sign sum. */
    a = shr_jam128(a, 1);
    b = shr_jam128(b, 1);
    if (ea < eb || (ea == eb && lt128(a, b))) {
        struct u128 t = a;
        int32_t te = ea;
        int ts = sa;
        a = b; ea = eb; sa = sb;
        b = t; eb = te; sb = ts;
    }
    b = shr_jam128(b, (uint32_t)(ea - eb));
    if (sa == sb) {
        s = add128(a, b);
    } else {
        s = sub128(a, b);
        if (s.hi == 0 && s.lo == 0)
            return pack_zero(f, zero_sum_sign(rm));
    }
    n = clz128(s);
    s = shl128(s, n);
    return round_pack(f, sa, ea + 1 - n, s.hi | (s.lo != 0), rm, fl);
}

static uint64_t op_add(const struct fmt *f, uint64_t x, uint64_t y, int neg_y,
                       unsigned rm, uint32_t *fl)
{
    struct unp a = unpack(f, x), b = unpack(f, y);
    if (neg_y) {
        b.sign ^= 1;
        y ^= sign_bit(f);
    }
    if (is_nan(&a) || is_nan(&b))
        return nan_result(f, a.kind == K_SNAN || b.kind == K_SNAN, fl);
    if (a.kind == K_INF) {
        if (b.kind == K_INF && a.sign != b.sign)
            return invalid(f, fl);
        return x;
    }
    if (b.kind == K_INF)
        return y;
    if (a.kind == K_ZERO) {
        if (b.kind == K_ZERO)
            return pack_zero(f, a.sign == b.sign ? a.sign : zero_sum_sign(rm));
        return y;
    }
    if (b.kind == K_ZERO)
        return x;
    return add_core(f, a.sign, a.exp, (struct u128){ a.sig, 0 },
                    b.sign, b.exp, (struct u128){ b.sig, 0 }, rm, fl);
}

/* The exact product of two finite nonzero operands, normalised to bit 127:
 * value = prod * 2^(*exp - 127). */
static struct u128 exact_product(const struct unp *a, const struct unp *b, int32_t *exp)
{
    struct u128 p = mul64(a->sig, b->sig);   /* in [2^126, 2^128) */
    int n = clz128(p);
    *exp = a->exp + b->exp + 1 - n;
    return shl128(p, n);
}

static uint64_t op_mul(const struct fmt *f, uint64_t x, uint64_t y, unsigned rm, uint32_t *fl)
{
    struct unp a = unpack(f, x), b = unpack(f, y);
    int sign = a.sign ^ b.sign;
    struct u128 p;
    int32_t e;
    if (is_nan(&a) || is_nan(&b))
        return nan_result(f, a.kind == K_SNAN || b.kind == K_SNAN, fl);
    if ((a.kind == K_INF && b.kind == K_ZERO) || (a.kind == K_ZERO && b.kind == K_INF))
        return invalid(f, fl);
    if (a.kind == K_INF || b.kind == K_INF)
        return pack_inf(f, sign);
    if (a.kind == K_ZERO || b.kind == K_ZERO)
        return pack_zero(f, sign);
    p = exact_product(&a, &b, &e);
    return round_pack(f, sign, e, p.hi | (p.lo != 0), rm, fl);
}

/* (neg_p ? -(x*y) : x*y) + (neg_z ? -z : z) with one rounding. */
static uint64_t op_fma(const struct fmt *f, uint64_t x, uint64_t y, uint64_t z,
                       int neg_p, int neg_z, unsigned rm, uint32_t *fl)
{
    struct unp a = unpack(f, x), b = unpack(f, y), c = unpack(f, z);
    int inf_times_zero = (a.kind == K_INF && b.kind == K_ZERO) ||
                         (a.kind == K_ZERO && b.kind == K_INF);
    int sp = a.sign ^ b.sign ^ neg_p;
    struct u128 p;
    int32_t e;
    c.sign ^= neg_z;
    /* The spec: inf * 0 raises NV even when the addend is a quiet NaN. */
    if (is_nan(&a) || is_nan(&b) || is_nan(&c))
        return nan_result(f, a.kind == K_SNAN || b.kind == K_SNAN || c.kind == K_SNAN ||
                          inf_times_zero, fl);
    if (inf_times_zero)
        return invalid(f, fl);
    if (a.kind == K_INF || b.kind == K_INF) {
        if (c.kind == K_INF && c.sign != sp)
            return invalid(f, fl);
        return pack_inf(f, sp);
    }
    if (c.kind == K_INF)
        return pack_inf(f, c.sign);
    if (a.kind == K_ZERO || b.kind == K_ZERO) {
        if (c.kind == K_ZERO)
            return pack_zero(f, sp == c.sign ? sp : zero_sum_sign(rm));
        return (z & ~sign_bit(f)) | pack_zero(f, c.sign);
    }
    p = exact_product(&a, &b, &e);
    if (c.kind == K_ZERO)
        return round_pack(f, sp, e, p.hi | (p.lo != 0), rm, fl);
    return add_core(f, sp, e, p, c.sign, c.exp, (struct u128){ c.sig, 0 }, rm, fl);
}

static uint64_t op_div(const struct fmt *f, uint64_t x, uint64_t y, unsigned rm, uint32_t *fl)
{
    struct unp a = unpack(f, x), b = unpack(f, y);
    int sign = a.sign ^ b.sign;
    int shift = 64 - f->p, i;
    uint64_t ma, mb, q = 0;
    int32_t e;
    if (is_nan(&a) || is_nan(&b))
        return nan_result(f, a.kind == K_SNAN || b.kind == K_SNAN, fl);
    if (a.kind == K_INF) {
        if (b.kind == K_INF)
            return invalid(f, fl);
        return pack_inf(f, sign);
    }
    if (b.kind == K_INF)
        return pack_zero(f, sign);
    if (b.kind == K_ZERO) {
        if (a.kind == K_ZERO)
            return invalid(f, fl);
        *fl |= DZ;
        return pack_inf(f, sign);
    }
    if (a.kind == K_ZERO)
        return pack_zero(f, sign);
    /* Long division of the p-bit significands, one quotient bit per step,
     * p + 2 bits in all; the remainder gives the sticky bit. */
    ma = a.sig >> shift;
    mb = b.sig >> shift;
    e = a.exp - b.exp;
    if (ma < mb) {
        ma <<= 1;
        e--;
    }
    for (i = 0; i < f->p + 2; i++) {
        q <<= 1;
        if (ma >= mb) {
            ma -= mb;
            q |= 1;
        }
        ma <<= 1;
    }
    return round_pack(f, sign, e, q << (62 - f->p) | (ma != 0), rm, fl);
}

static uint64_t op_sqrt(const struct fmt *f, uint64_t x, unsigned rm, uint32_t *fl)
{
    struct unp a = unpack(f, x);
    uint64_t m, q = 0, r = 0;
    int32_t ex;
    int s, i, n;
    if (is_nan(&a))
        return nan_result(f, a.kind == K_SNAN, fl);
    if (a.kind == K_ZERO)
        return x;
    if (a.sign)
        return invalid(f, fl);
    if (a.kind == K_INF)
        return x;
    /* value = m * 2^ex with ex even, m < 2^(p+1). The root of m * 4^s is
     * found digit by digit (two bits of m per result bit); s is chosen so
     * the root has at least p + 2 bits, and the remainder r (never above
     * 2q) stays below 2^59. */
    m = a.sig >> (64 - f->p);
    ex = a.exp - (f->p - 1);
    if (ex % 2 != 0) {
        m <<= 1;
        ex--;
    }
    s = (f->p + 5) / 2;
    for (i = (f->p + 2) / 2 + s - 1; i >= 0; i--) {
        uint64_t t;
        r = r << 2 | (i >= s ? (m >> (2 * (i - s))) & 3 : 0);
        t = q << 2 | 1;
        q <<= 1;
        if (r >= t) {
            r -= t;
            q |= 1;
        }
    }
    n = clz64(q);
    return round_pack(f, 0, ex / 2 - s - n + 63, q << n | (r != 0), rm, fl);
}

/* A two's complement 64-bit pattern as int64_t, without relying on the
 * implementation-defined conversion of out-of-range values. */
static int64_t as_int64(uint64_t v)
{
    if (v <= INT64_MAX)
        return (int64_t)v;
    return -(int64_t)(~v) - 1;
}

/*
 * Float to a `bits`-wide integer, saturating: returns the two's complement
 * pattern of the result (not yet sign-extended for bits == 32).
 */
static uint64_t op_to_int(const struct fmt *f, uint64_t x, unsigned rm, int is_signed,
                          int bits, uint32_t *fl)
{
    struct unp a = unpack(f, x);
    uint64_t max = is_signed ? (UINT64_C(1) << (bits - 1)) - 1
                             : (bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1);
    uint64_t neg_limit = is_signed ? UINT64_C(1) << (bits - 1) : 0;   /* magnitude */
    uint64_t min = is_signed ? 0 - neg_limit : 0;
    uint64_t ip, frac;
    if (is_nan(&a)) {
        *fl |= NV;
        return max;
    }
    if (a.kind == K_ZERO)
        return 0;
    if (a.kind == K_INF || a.exp > 63) {
        *fl |= NV;
        return a.sign ? min : max;
    }
    /* Split the magnitude into an integer part and a 64-bit fraction. */
    if (a.exp >= 0) {
        ip = a.sig >> (63 - a.exp);
        frac = a.exp == 63 ? 0 : a.sig << (a.exp + 1);
    } else {
        ip = 0;
        frac = shr_jam64(a.sig, (uint32_t)(-a.exp - 1));
    }
    if (round_up(rm, a.sign, (int)(ip & 1), frac, UINT64_C(1) << 63)) {
        /* ip < 2^64 - 1 here: sig has at most 53 significant bits. */
        ip++;
    }
    if (a.sign ? ip > neg_limit : ip > max) {
        *fl |= NV;
        return a.sign ? min : max;
    }
    if (frac)
        *fl |= NX;
    return a.sign ? 0 - ip : ip;
}

static int64_t sext32(uint64_t v)
{
    return (int64_t)((v & 0xffffffffu) ^ 0x80000000u) - INT64_C(0x80000000);
}

static uint64_t op_from_int(const struct fmt *f, int sign, uint64_t mag, unsigned rm, uint32_t *fl)
{
    int n;
    if (mag == 0)
        return 0;
    n = clz64(mag);
    return round_pack(f, sign, 63 - n, mag << n, rm, fl);
}

static uint64_t neg_mag(int64_t v)
{
    return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

/* Converts between formats: exact when widening, one rounding when narrowing. */
static uint64_t op_convert(const struct fmt *to, const struct fmt *from, uint64_t x,
                           unsigned rm, uint32_t *fl)
{
    struct unp a = unpack(from, x);
    if (is_nan(&a))
        return nan_result(to, a.kind == K_SNAN, fl);
    if (a.kind == K_INF)
        return pack_inf(to, a.sign);
    if (a.kind == K_ZERO)
        return pack_zero(to, a.sign);
    return round_pack(to, a.sign, a.exp, a.sig, rm, fl);
}

/*
 * minimumNumber / maximumNumber: a NaN operand is ignored unless both are
 * NaN (then the canonical NaN); a signalling NaN raises NV; -0 < +0.
 */
static uint64_t op_minmax(const struct fmt *f, uint64_t x, uint64_t y, int want_max, uint32_t *fl)
{
    struct unp a = unpack(f, x), b = unpack(f, y);
    uint64_t sb = sign_bit(f);
    int x_less;
    if (a.kind == K_SNAN || b.kind == K_SNAN)
        *fl |= NV;
    if (is_nan(&a) && is_nan(&b))
        return canon_nan(f);
    if (is_nan(&a))
        return y;
    if (is_nan(&b))
        return x;
    /* Sign-magnitude order: the bit patterns order like the values. */
    if ((x ^ y) & sb)
        x_less = (x & sb) != 0;
    else if (x & sb)
        x_less = x > y;
    else
        x_less = x < y;
    return x_less != want_max ? x : y;
}

/* Compare non-NaN x and y: -1, 0 or 1 (+0 == -0). */
static int cmp(const struct fmt *f, uint64_t x, uint64_t y)
{
    uint64_t sb = sign_bit(f);
    if (((x | y) & ~sb) == 0 || x == y)
        return 0;
    if ((x ^ y) & sb)
        return x & sb ? -1 : 1;
    if (x & sb)
        return x > y ? -1 : 1;
    return x < y ? -1 : 1;
}

static int op_compare(const struct fmt *f, uint64_t x, uint64_t y, int signalling,
                      int (*pred)(int), uint32_t *fl)
{
    struct unp a = unpack(f, x), b = unpack(f, y);
    if (is_nan(&a) || is_nan(&b)) {
        if (signalling || a.kind == K_SNAN || b.kind == K_SNAN)
            *fl |= NV;
        return 0;
    }
    return pred(cmp(f, x, y));
}

static int pred_eq(int c) { return c == 0; }
static int pred_lt(int c) { return c < 0; }
static int pred_le(int c) { return c <= 0; }

static unsigned op_class(const struct fmt *f, uint64_t x)
{
    struct unp a = unpack(f, x);
    uint32_t e = (uint32_t)(x >> (f->p - 1)) & f->emax;
    switch (a.kind) {
    case K_INF:
        return a.sign ? FPU_CLASS_NEG_INF : FPU_CLASS_POS_INF;
    case K_ZERO:
        return a.sign ? FPU_CLASS_NEG_ZERO : FPU_CLASS_POS_ZERO;
    case K_SNAN:
        return FPU_CLASS_SNAN;
    case K_QNAN:
        return FPU_CLASS_QNAN;
    default:
        if (e == 0)
            return a.sign ? FPU_CLASS_NEG_SUB : FPU_CLASS_POS_SUB;
        return a.sign ? FPU_CLASS_NEG_NORM : FPU_CLASS_POS_NORM;
    }
}

/* The public entry points. */

uint32_t fpu_soft_add_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_add(&FMT_S, a, b, 0, rm, fl); }
uint32_t fpu_soft_sub_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_add(&FMT_S, a, b, 1, rm, fl); }
uint32_t fpu_soft_mul_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_mul(&FMT_S, a, b, rm, fl); }
uint32_t fpu_soft_div_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_div(&FMT_S, a, b, rm, fl); }
uint32_t fpu_soft_sqrt_s(uint32_t a, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_sqrt(&FMT_S, a, rm, fl); }
uint32_t fpu_soft_fmadd_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_fma(&FMT_S, a, b, c, 0, 0, rm, fl); }
uint32_t fpu_soft_fmsub_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_fma(&FMT_S, a, b, c, 0, 1, rm, fl); }
uint32_t fpu_soft_fnmsub_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_fma(&FMT_S, a, b, c, 1, 0, rm, fl); }
uint32_t fpu_soft_fnmadd_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_fma(&FMT_S, a, b, c, 1, 1, rm, fl); }

uint64_t fpu_soft_add_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl)
{ return op_add(&FMT_D, a, b, 0, rm, fl); }
uint64_t fpu_soft_sub_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl)
{ return op_add(&FMT_D, a, b, 1, rm, fl); }
uint64_t fpu_soft_mul_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl)
{ return op_mul(&FMT_D, a, b, rm, fl); }
uint64_t fpu_soft_div_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl)
{ return op_div(&FMT_D, a, b, rm, fl); }
uint64_t fpu_soft_sqrt_d(uint64_t a, unsigned rm, uint32_t *fl)
{ return op_sqrt(&FMT_D, a, rm, fl); }
uint64_t fpu_soft_fmadd_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl)
{ return op_fma(&FMT_D, a, b, c, 0, 0, rm, fl); }
uint64_t fpu_soft_fmsub_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl)
{ return op_fma(&FMT_D, a, b, c, 0, 1, rm, fl); }
uint64_t fpu_soft_fnmsub_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl)
{ return op_fma(&FMT_D, a, b, c, 1, 0, rm, fl); }
uint64_t fpu_soft_fnmadd_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl)
{ return op_fma(&FMT_D, a, b, c, 1, 1, rm, fl); }

uint32_t fpu_min_s(uint32_t a, uint32_t b, uint32_t *fl)
{ return (uint32_t)op_minmax(&FMT_S, a, b, 0, fl); }
uint32_t fpu_max_s(uint32_t a, uint32_t b, uint32_t *fl)
{ return (uint32_t)op_minmax(&FMT_S, a, b, 1, fl); }
uint64_t fpu_min_d(uint64_t a, uint64_t b, uint32_t *fl)
{ return op_minmax(&FMT_D, a, b, 0, fl); }
uint64_t fpu_max_d(uint64_t a, uint64_t b, uint32_t *fl)
{ return op_minmax(&FMT_D, a, b, 1, fl); }

int fpu_eq_s(uint32_t a, uint32_t b, uint32_t *fl)
{ return op_compare(&FMT_S, a, b, 0, pred_eq, fl); }
int fpu_lt_s(uint32_t a, uint32_t b, uint32_t *fl)
{ return op_compare(&FMT_S, a, b, 1, pred_lt, fl); }
int fpu_le_s(uint32_t a, uint32_t b, uint32_t *fl)
{ return op_compare(&FMT_S, a, b, 1, pred_le, fl); }
int fpu_eq_d(uint64_t a, uint64_t b, uint32_t *fl)
{ return op_compare(&FMT_D, a, b, 0, pred_eq, fl); }
int fpu_lt_d(uint64_t a, uint64_t b, uint32_t *fl)
{ return op_compare(&FMT_D, a, b, 1, pred_lt, fl); }
int fpu_le_d(uint64_t a, uint64_t b, uint32_t *fl)
{ return op_compare(&FMT_D, a, b, 1, pred_le, fl); }

unsigned fpu_class_s(uint32_t a) { return op_class(&FMT_S, a); }
unsigned fpu_class_d(uint64_t a) { return op_class(&FMT_D, a); }

int64_t fpu_cvt_w_s(uint32_t a, unsigned rm, uint32_t *fl)
{ return sext32(op_to_int(&FMT_S, a, rm, 1, 32, fl)); }
int64_t fpu_cvt_wu_s(uint32_t a, unsigned rm, uint32_t *fl)
{ return sext32(op_to_int(&FMT_S, a, rm, 0, 32, fl)); }
int64_t fpu_cvt_l_s(uint32_t a, unsigned rm, uint32_t *fl)
{ return as_int64(op_to_int(&FMT_S, a, rm, 1, 64, fl)); }
int64_t fpu_cvt_lu_s(uint32_t a, unsigned rm, uint32_t *fl)
{ return as_int64(op_to_int(&FMT_S, a, rm, 0, 64, fl)); }
int64_t fpu_cvt_w_d(uint64_t a, unsigned rm, uint32_t *fl)
{ return sext32(op_to_int(&FMT_D, a, rm, 1, 32, fl)); }
int64_t fpu_cvt_wu_d(uint64_t a, unsigned rm, uint32_t *fl)
{ return sext32(op_to_int(&FMT_D, a, rm, 0, 32, fl)); }
int64_t fpu_cvt_l_d(uint64_t a, unsigned rm, uint32_t *fl)
{ return as_int64(op_to_int(&FMT_D, a, rm, 1, 64, fl)); }
int64_t fpu_cvt_lu_d(uint64_t a, unsigned rm, uint32_t *fl)
{ return as_int64(op_to_int(&FMT_D, a, rm, 0, 64, fl)); }

uint32_t fpu_cvt_s_w(int32_t v, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_from_int(&FMT_S, v < 0, neg_mag(v), rm, fl); }
uint32_t fpu_cvt_s_wu(uint32_t v, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_from_int(&FMT_S, 0, v, rm, fl); }
uint32_t fpu_cvt_s_l(int64_t v, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_from_int(&FMT_S, v < 0, neg_mag(v), rm, fl); }
uint32_t fpu_cvt_s_lu(uint64_t v, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_from_int(&FMT_S, 0, v, rm, fl); }
uint64_t fpu_soft_cvt_d_w(int32_t v, unsigned rm, uint32_t *fl)
{ return op_from_int(&FMT_D, v < 0, neg_mag(v), rm, fl); }
uint64_t fpu_soft_cvt_d_wu(uint32_t v, unsigned rm, uint32_t *fl)
{ return op_from_int(&FMT_D, 0, v, rm, fl); }
uint64_t fpu_cvt_d_l(int64_t v, unsigned rm, uint32_t *fl)
{ return op_from_int(&FMT_D, v < 0, neg_mag(v), rm, fl); }
uint64_t fpu_cvt_d_lu(uint64_t v, unsigned rm, uint32_t *fl)
{ return op_from_int(&FMT_D, 0, v, rm, fl); }

uint32_t fpu_soft_cvt_s_d(uint64_t a, unsigned rm, uint32_t *fl)
{ return (uint32_t)op_convert(&FMT_S, &FMT_D, a, rm, fl); }
uint64_t fpu_cvt_d_s(uint32_t a, uint32_t *fl)
{ return op_convert(&FMT_D, &FMT_S, a, FPU_RNE, fl); }
