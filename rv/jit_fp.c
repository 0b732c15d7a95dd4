/*
 * jit_fp.c — what compiled code calls for the F and D ops it does not do
 * inline: one small function per op around rv/fpu.h, doing the NaN boxing
 * and unboxing the interpreter does (rv/interp.c), and the table that
 * tells the compiler each op's operands (see rv/jit_int.h).
 *
 * Portable C, so it builds on every host, with or without a backend.
 */
#include "rv/jit_int.h"

#include "rv/fpu.h"

/* NaN boxing, as the interpreter does it. */
static inline uint32_t unbox(uint64_t v) { return (v >> 32) == 0xffffffffu ? (uint32_t)v : 0x7fc00000u; }
static inline uint64_t box(uint32_t v) { return 0xffffffff00000000ull | v; }
static inline uint64_t sext32(uint64_t v) { return ((v & 0xffffffffu) ^ 0x80000000u) - 0x80000000u; }

#define H(name) static uint64_t h_##name(struct rv_hart *h, uint64_t a, uint64_t b, uint64_t c, unsigned rm)
#define UNUSED4 (void)h; (void)a; (void)b; (void)c; (void)rm
#define H_S2(name) H(name##_s) { (void)c; return box(fpu_##name##_s(unbox(a), unbox(b), rm, &h->fflags)); }
#define H_D2(name) H(name##_d) { (void)c; return fpu_##name##_d(a, b, rm, &h->fflags); }
#define H_S3(name) H(name##_s) { return box(fpu_##name##_s(unbox(a), unbox(b), unbox(c), rm, &h->fflags)); }
#define H_D3(name) H(name##_d) { return fpu_##name##_d(a, b, c, rm, &h->fflags); }
H_S2(add) H_S2(sub) H_S2(mul) H_S2(div)
H_D2(add) H_D2(sub) H_D2(mul) H_D2(div)
H_S3(fmadd) H_S3(fmsub) H_S3(fnmsub) H_S3(fnmadd)
H_D3(fmadd) H_D3(fmsub) H_D3(fnmsub) H_D3(fnmadd)
H(sqrt_s) { (void)b; (void)c; return box(fpu_sqrt_s(unbox(a), rm, &h->fflags)); }
H(sqrt_d) { (void)b; (void)c; return fpu_sqrt_d(a, rm, &h->fflags); }
H(min_s) { (void)c; (void)rm; return box(fpu_min_s(unbox(a), unbox(b), &h->fflags)); }
H(max_s) { (void)c; (void)rm; return box(fpu_max_s(unbox(a), unbox(b), &h->fflags)); }
H(min_d) { (void)c; (void)rm; return fpu_min_d(a, b, &h->fflags); }
H(max_d) { (void)c; (void)rm; return fpu_max_d(a, b, &h->fflags); }
H(sgnj_s) { UNUSED4; return box((unbox(a) & 0x7fffffffu) | (unbox(b) & 0x80000000u)); }
H(sgnjn_s) { UNUSED4; return box((unbox(a) & 0x7fffffffu) | (~unbox(b) & 0x80000000u)); }
H(sgnjx_s) { UNUSED4; return box(unbox(a) ^ (unbox(b) & 0x80000000u)); }
H(eq_s) { (void)c; (void)rm; return (uint64_t)fpu_eq_s(unbox(a), unbox(b), &h->fflags); }
H(lt_s) { (void)c; (void)rm; return (uint64_t)fpu_lt_s(unbox(a), unbox(b), &h->fflags); }
H(le_s) { (void)c; (void)rm; return (uint64_t)fpu_le_s(unbox(a), unbox(b), &h->fflags); }
H(eq_d) { (void)c; (void)rm; return (uint64_t)fpu_eq_d(a, b, &h->fflags); }
H(lt_d) { (void)c; (void)rm; return (uint64_t)fpu_lt_d(a, b, &h->fflags); }
H(le_d) { (void)c; (void)rm; return (uint64_t)fpu_le_d(a, b, &h->fflags); }
H(class_s) { UNUSED4; return fpu_class_s(unbox(a)); }
H(class_d) { UNUSED4; return fpu_class_d(a); }
H(mv_x_w) { UNUSED4; return sext32(a); }
H(mv_w_x) { UNUSED4; return box((uint32_t)a); }
H(cvt_w_s) { (void)b; (void)c; return (uint64_t)fpu_cvt_w_s(unbox(a), rm, &h->fflags); }
H(cvt_wu_s) { (void)b; (void)c; return (uint64_t)fpu_cvt_wu_s(unbox(a), rm, &h->fflags); }
H(cvt_l_s) { (void)b; (void)c; return (uint64_t)fpu_cvt_l_s(unbox(a), rm, &h->fflags); }
H(cvt_lu_s) { (void)b; (void)c; return (uint64_t)fpu_cvt_lu_s(unbox(a), rm, &h->fflags); }
H(cvt_w_d) { (void)b; (void)c; return (uint64_t)fpu_cvt_w_d(a, rm, &h->fflags); }
H(cvt_wu_d) { (void)b; (void)c; return (uint64_t)fpu_cvt_wu_d(a, rm, &h->fflags); }
H(cvt_l_d) { (void)b; (void)c; return (uint64_t)fpu_cvt_l_d(a, rm, &h->fflags); }
H(cvt_lu_d) { (void)b; (void)c; return (uint64_t)fpu_cvt_lu_d(a, rm, &h->fflags); }
H(cvt_s_w) { (void)b; (void)c; return box(fpu_cvt_s_w((int32_t)(uint32_t)a, rm, &h->fflags)); }
H(cvt_s_wu) { (void)b; (void)c; return box(fpu_cvt_s_wu((uint32_t)a, rm, &h->fflags)); }
H(cvt_s_l) { (void)b; (void)c; return box(fpu_cvt_s_l((int64_t)a, rm, &h->fflags)); }
H(cvt_s_lu) { (void)b; (void)c; return box(fpu_cvt_s_lu(a, rm, &h->fflags)); }
H(cvt_d_w) { (void)b; (void)c; return fpu_cvt_d_w((int32_t)(uint32_t)a, rm, &h->fflags); }
H(cvt_d_wu) { (void)b; (void)c; return fpu_cvt_d_wu((uint32_t)a, rm, &h->fflags); }
H(cvt_d_l) { (void)b; (void)c; return fpu_cvt_d_l((int64_t)a, rm, &h->fflags); }
H(cvt_d_lu) { (void)b; (void)c; return fpu_cvt_d_lu(a, rm, &h->fflags); }
H(cvt_s_d) { (void)b; (void)c; return box(fpu_cvt_s_d(a, rm, &h->fflags)); }
H(cvt_d_s) { (void)b; (void)c; (void)rm; return fpu_cvt_d_s(unbox(a), &h->fflags); }
#undef H
#undef UNUSED4
#undef H_S2
#undef H_D2
#undef H_S3
#undef H_D3

/* Which helper, which operands: [opcode]. FSGNJ*_D, FMV_X_D and FMV_D_X
 * are bit moves the compiler does inline and have no entry. */
#define FF2(o, f, r) [RV_OP_##o] = { h_##f, { JIT_K_F, JIT_K_F, JIT_K_NONE }, JIT_K_F, r }
#define FF3(o, f) [RV_OP_##o] = { h_##f, { JIT_K_F, JIT_K_F, JIT_K_F }, JIT_K_F, true }
#define FF1(o, f, r) [RV_OP_##o] = { h_##f, { JIT_K_F, JIT_K_NONE, JIT_K_NONE }, JIT_K_F, r }
#define FX1(o, f, r) [RV_OP_##o] = { h_##f, { JIT_K_F, JIT_K_NONE, JIT_K_NONE }, JIT_K_X, r }
#define FX2(o, f) [RV_OP_##o] = { h_##f, { JIT_K_F, JIT_K_F, JIT_K_NONE }, JIT_K_X, false }
#define XF1(o, f, r) [RV_OP_##o] = { h_##f, { JIT_K_X, JIT_K_NONE, JIT_K_NONE }, JIT_K_F, r }
const struct rv_jit_fp_desc rv_jit_fp_ops[RV_OP_COUNT] = {
    FF2(FADD_S, add_s, true), FF2(FSUB_S, sub_s, true), FF2(FMUL_S, mul_s, true),
    FF2(FDIV_S, div_s, true), FF1(FSQRT_S, sqrt_s, true),
    FF2(FSGNJ_S, sgnj_s, false), FF2(FSGNJN_S, sgnjn_s, false), FF2(FSGNJX_S, sgnjx_s, false),
    FF2(FMIN_S, min_s, false), FF2(FMAX_S, max_s, false),
    FX1(FCVT_W_S, cvt_w_s, true), FX1(FCVT_WU_S, cvt_wu_s, true),
    FX1(FCVT_L_S, cvt_l_s, true), FX1(FCVT_LU_S, cvt_lu_s, true),
    FX1(FMV_X_W, mv_x_w, false), FX1(FCLASS_S, class_s, false),
    FX2(FEQ_S, eq_s), FX2(FLT_S, lt_s), FX2(FLE_S, le_s),
    XF1(FCVT_S_W, cvt_s_w, true), XF1(FCVT_S_WU, cvt_s_wu, true),
    XF1(FCVT_S_L, cvt_s_l, true), XF1(FCVT_S_LU, cvt_s_lu, true), XF1(FMV_W_X, mv_w_x, false),
    FF3(FMADD_S, fmadd_s), FF3(FMSUB_S, fmsub_s), FF3(FNMSUB_S, fnmsub_s), FF3(FNMADD_S, fnmadd_s),
    FF2(FADD_D, add_d, true), FF2(FSUB_D, sub_d, true), FF2(FMUL_D, mul_d, true),
    FF2(FDIV_D, div_d, true), FF1(FSQRT_D, sqrt_d, true),
    FF2(FMIN_D, min_d, false), FF2(FMAX_D, max_d, false),
    FF1(FCVT_S_D, cvt_s_d, true), FF1(FCVT_D_S, cvt_d_s, true),
    FX1(FCVT_W_D, cvt_w_d, true), FX1(FCVT_WU_D, cvt_wu_d, true),
    FX1(FCVT_L_D, cvt_l_d, true), FX1(FCVT_LU_D, cvt_lu_d, true),
    FX1(FCLASS_D, class_d, false),
    FX2(FEQ_D, eq_d), FX2(FLT_D, lt_d), FX2(FLE_D, le_d),
    XF1(FCVT_D_W, cvt_d_w, true), XF1(FCVT_D_WU, cvt_d_wu, true),
    XF1(FCVT_D_L, cvt_d_l, true), XF1(FCVT_D_LU, cvt_d_lu, true),
    FF3(FMADD_D, fmadd_d), FF3(FMSUB_D, fmsub_d), FF3(FNMSUB_D, fnmsub_d), FF3(FNMADD_D, fnmadd_d),
};
#undef FF2
#undef FF3
#undef FF1
#undef FX1
#undef FX2
#undef XF1
