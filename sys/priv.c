/*
 * priv.c — the privileged architecture of the board's hart: the machine-
 * and supervisor-level CSRs, traps and their delegation, interrupts, and
 * the privileged instructions (mret, sret, wfi, sfence.vma), emulated
 * when the engine traps on them.
 * Spec: The RISC-V Instruction Set Manual, Volume II: Privileged
 * Architecture 20211203 (machine ISA 1.12, supervisor ISA 1.12); section
 * numbers below are its.
 */
#include "sys/board.h"

#include "rv/decode.h"

#include <string.h>

/* mstatus fields (3.1.6). */
#define MS_SIE  (1ull << 1)
#define MS_MIE  (1ull << 3)
#define MS_SPIE (1ull << 5)
#define MS_MPIE (1ull << 7)
#define MS_SPP  (1ull << 8)
#define MS_MPP_SHIFT 11
#define MS_MPP  (3ull << MS_MPP_SHIFT)
#define MS_FS   (3ull << 13)
#define MS_MPRV (1ull << 17)
#define MS_SUM  (1ull << 18)
#define MS_MXR  (1ull << 19)
#define MS_TVM  (1ull << 20)
#define MS_TW   (1ull << 21)
#define MS_TSR  (1ull << 22)
#define MS_UXL  (3ull << 32)
#define MS_SXL  (3ull << 34)
#define MS_SD   (1ull << 63)
#define MS_XL64 ((2ull << 32) | (2ull << 34))   /* UXL = SXL = 64 bits, read-only */

#define MSTATUS_WRITABLE (MS_SIE | MS_MIE | MS_SPIE | MS_MPIE | MS_SPP | MS_MPP | MS_FS | MS_MPRV | MS_SUM | \
                          MS_MXR | MS_TVM | MS_TW | MS_TSR)
/* sstatus: the supervisor's view of mstatus (4.1.1). */
#define SSTATUS_VISIBLE  (MS_SIE | MS_SPIE | MS_SPP | MS_FS | MS_SUM | MS_MXR | MS_UXL | MS_SD)
#define SSTATUS_WRITABLE (MS_SIE | MS_SPIE | MS_SPP | MS_FS | MS_SUM | MS_MXR)

/* Interrupt bits of mip and mie (3.1.9). */
#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11
#define BIT(n) (1ull << (n))
#define MIE_WRITABLE (BIT(IRQ_SSI) | BIT(IRQ_MSI) | BIT(IRQ_STI) | BIT(IRQ_MTI) | BIT(IRQ_SEI) | BIT(IRQ_MEI))
#define S_IRQS (BIT(IRQ_SSI) | BIT(IRQ_STI) | BIT(IRQ_SEI))   /* delegable, and M may set them in mip */
/* Exceptions that may be delegated: all but ecall from M (3.1.8). */
#define MEDELEG_WRITABLE 0xb3ffull

#define MCAUSE_IRQ (1ull << 63)

/* misa: RV64 with A, C, D, F, I, M, S and U (3.1.1). */
#define MISA ((2ull << 62) | BIT(0) | BIT(2) | BIT(3) | BIT(5) | BIT(8) | BIT(12) | BIT(18) | BIT(20))

/* satp (4.1.11): the MODE field. */
#define SATP_MODE_SHIFT 60

void priv_reset(struct board_cpu *c, unsigned hartid)
{
    memset(c, 0, sizeof *c);
    c->hartid = hartid;
    c->priv = PRIV_M;
    c->mstatus = MS_XL64;
}

bool priv_state_valid(const struct board_cpu *c)
{
    unsigned mode = (unsigned)(c->satp >> SATP_MODE_SHIFT);
    return (c->priv == PRIV_M || c->priv == PRIV_S || c->priv == PRIV_U) &&
           !(c->mstatus & ~(MSTATUS_WRITABLE | MS_XL64 | MS_SD)) && (c->mstatus & MS_XL64) == MS_XL64 &&
           ((c->mstatus & MS_MPP) >> MS_MPP_SHIFT) != 2 && !(c->medeleg & ~MEDELEG_WRITABLE) &&
           !(c->mideleg & ~S_IRQS) && !(c->mie & ~MIE_WRITABLE) && !((c->mip | c->mip_ext) & ~MIE_WRITABLE) &&
           (mode == 0 || mode == SATP_SV39 || mode == SATP_SV48 || mode == SATP_SV57) &&
           !(c->satp & ((1ull << 60) - 1) & ~((1ull << 44) - 1));
}

static uint64_t mstatus_read(const struct board_cpu *c)
{
    uint64_t v = c->mstatus;
    if ((v & MS_FS) == MS_FS)
        v |= MS_SD;
    return v;
}

static void mstatus_write(struct board_hart *bh, uint64_t v, uint64_t writable)
{
    struct board_cpu *c = &bh->cpu;
    /* MPP is WARL: the reserved value 2 leaves the field as it was. */
    if ((writable & MS_MPP) && ((v & MS_MPP) >> MS_MPP_SHIFT) == 2)
        writable &= ~MS_MPP;
    uint64_t old = c->mstatus;
    c->mstatus = (c->mstatus & ~writable) | (v & writable);
    if ((old ^ c->mstatus) & (MS_SUM | MS_MXR))
        bh->mmu_stale = true;     /* translations made under the old ones */
}

static void set_pc_to_vector(struct rv_hart *h, uint64_t tvec, uint64_t cause)
{
    uint64_t base = tvec & ~3ull;
    bool vectored = (tvec & 3) == 1 && (cause & MCAUSE_IRQ);
    h->pc = vectored ? base + 4 * (cause & ~MCAUSE_IRQ) : base;
}

/* 3.1.6.1, 3.3.1 and 4.1.1: where a trap goes and what it saves. */
void priv_trap(struct board_hart *bh, uint64_t cause, uint64_t tval)
{
    struct board_cpu *c = &bh->cpu;
    struct rv_hart *h = bh->hart;
    uint64_t code = cause & ~MCAUSE_IRQ;
    uint64_t deleg = (cause & MCAUSE_IRQ) ? c->mideleg : c->medeleg;
    c->waiting = false;
    h->resv_valid = false;
    if (c->priv <= PRIV_S && code < 64 && ((deleg >> code) & 1)) {
        c->scause = cause;
        c->sepc = h->pc;
        c->stval = tval;
        uint64_t s = c->mstatus & ~(MS_SPP | MS_SPIE | MS_SIE);
        if (c->priv == PRIV_S)
            s |= MS_SPP;
        if (c->mstatus & MS_SIE)
            s |= MS_SPIE;
        c->mstatus = s;
        c->priv = PRIV_S;
        set_pc_to_vector(h, c->stvec, cause);
        return;
    }
    c->mcause = cause;
    c->mepc = h->pc;
    c->mtval = tval;
    uint64_t m = c->mstatus & ~(MS_MPP | MS_MPIE | MS_MIE);
    m |= (uint64_t)c->priv << MS_MPP_SHIFT;
    if (c->mstatus & MS_MIE)
        m |= MS_MPIE;
    c->mstatus = m;
    c->priv = PRIV_M;
    set_pc_to_vector(h, c->mtvec, cause);
}

void priv_update_mip(struct board_hart *bh)
{
    struct board_cpu *c = &bh->cpu;
    uint64_t mip = c->mip & ~(BIT(IRQ_MTI) | BIT(IRQ_MSI) | BIT(IRQ_MEI));
    if (board_mtime(bh->b) >= atomic_load(&bh->mtimecmp))
        mip |= BIT(IRQ_MTI);
    if (atomic_load(&bh->msip) & 1)
        mip |= BIT(IRQ_MSI);
    uint32_t eip = atomic_load(&bh->eip);
    if (eip & 1)
        mip |= BIT(IRQ_MEI);
    c->mip = mip;
    /* SEIP reads as the software-written bit or the PLIC's line (3.1.9). */
    c->mip_ext = (eip & 2) ? BIT(IRQ_SEI) : 0;
}

uint64_t priv_pending(struct board_hart *bh)
{
    priv_update_mip(bh);
    return (bh->cpu.mip | bh->cpu.mip_ext) & bh->cpu.mie;
}

/* 3.1.9: interrupts for M are enabled below M, and in M with MIE; those
 * delegated to S below S, and in S with SIE (never in M). Priority:
 * MEI, MSI, MTI, SEI, SSI, STI. */
bool priv_interrupt(struct board_hart *bh)
{
    struct board_cpu *c = &bh->cpu;
    uint64_t pend = priv_pending(bh);
    if (!pend)
        return false;
    uint64_t to_m = pend & ~c->mideleg, to_s = pend & c->mideleg;
    bool m_on = c->priv < PRIV_M || (c->mstatus & MS_MIE);
    bool s_on = c->priv < PRIV_S || (c->priv == PRIV_S && (c->mstatus & MS_SIE));
    uint64_t take = to_m && m_on ? to_m : to_s && s_on ? to_s : 0;
    if (!take)
        return false;
    static const unsigned order[] = { IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI };
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
        if (take & BIT(order[i])) {
            priv_trap(bh, MCAUSE_IRQ | order[i], 0);
            return true;
        }
    return false;
}

/* ---- CSRs ----------------------------------------------------------------- */

/* Reads csr: 0, or -1 if there is no such CSR. */
static int csr_read(struct board_hart *bh, unsigned csr, uint64_t *v)
{
    struct board_cpu *c = &bh->cpu;
    struct rv_hart *h = bh->hart;
    switch (csr) {
    /* Supervisor (4.1). */
    case 0x100: *v = mstatus_read(c) & SSTATUS_VISIBLE; return 0;
    case 0x104: *v = c->mie & c->mideleg; return 0;
    case 0x105: *v = c->stvec; return 0;
    case 0x106: *v = c->scounteren; return 0;
    case 0x10a: *v = c->senvcfg; return 0;
    case 0x140: *v = c->sscratch; return 0;
    case 0x141: *v = c->sepc; return 0;
    case 0x142: *v = c->scause; return 0;
    case 0x143: *v = c->stval; return 0;
    case 0x144: priv_update_mip(bh); *v = (c->mip | c->mip_ext) & c->mideleg; return 0;
    case 0x180: *v = c->satp; return 0;
    /* Machine information (3.1.2 - 3.1.5, 3.1.17). */
    case 0xf11: case 0xf12: case 0xf13: case 0xf15: *v = 0; return 0;
    case 0xf14: *v = c->hartid; return 0;
    /* Machine trap setup and handling (3.1.6 - 3.1.16). */
    case 0x300: *v = mstatus_read(c); return 0;
    case 0x301: *v = MISA; return 0;
    case 0x302: *v = c->medeleg; return 0;
    case 0x303: *v = c->mideleg; return 0;
    case 0x304: *v = c->mie; return 0;
    case 0x305: *v = c->mtvec; return 0;
    case 0x306: *v = c->mcounteren; return 0;
    case 0x30a: *v = c->menvcfg; return 0;
    case 0x320: *v = c->mcountinhibit; return 0;
    case 0x340: *v = c->mscratch; return 0;
    case 0x341: *v = c->mepc; return 0;
    case 0x342: *v = c->mcause; return 0;
    case 0x343: *v = c->mtval; return 0;
    case 0x344: priv_update_mip(bh); *v = c->mip | c->mip_ext; return 0;
    /* Physical memory protection (3.7): RV64 has pmpcfg0 and pmpcfg2. */
    case 0x3a0: *v = c->pmpcfg[0]; return 0;
    case 0x3a2: *v = c->pmpcfg[1]; return 0;
    /* Counters (3.1.11): mcycle counts instructions, as minstret. */
    case 0xb00: case 0xb02: *v = rv_instret(h); return 0;
    /* The user counters come here when denied to the engine: counter-
     * enables (3.1.11, 4.1.5), or with --icount the time CSR always. */
    case 0xc00: case 0xc01: case 0xc02:
        if (c->priv < PRIV_M) {
            uint64_t on = c->mcounteren & (c->priv == PRIV_U ? c->scounteren : ~0ull);
            if (!((on >> (csr - 0xc00)) & 1))
                return -1;
        }
        *v = csr == 0xc01 ? board_mtime(bh->b) : rv_instret(h);
        return 0;
    }
    if (csr >= 0x3b0 && csr < 0x3c0) { *v = c->pmpaddr[csr - 0x3b0]; return 0; }
    if (csr >= 0x3c0 && csr < 0x3f0) { *v = 0; return 0; }          /* pmpaddr16..63: none */
    if ((csr >= 0xb03 && csr < 0xb20) || (csr >= 0x323 && csr < 0x340) || (csr >= 0xc03 && csr < 0xc20)) {
        *v = 0;     /* hardware performance counters and their events: none (3.1.10) */
        return 0;
    }
    return -1;
}

static int csr_write(struct board_hart *bh, unsigned csr, uint64_t v)
{
    struct board_cpu *c = &bh->cpu;
    struct rv_hart *h = bh->hart;
    switch (csr) {
    case 0x100: mstatus_write(bh, v, SSTATUS_WRITABLE); return 0;
    case 0x104: c->mie = (c->mie & ~c->mideleg) | (v & c->mideleg & MIE_WRITABLE); return 0;
    case 0x105: if ((v & 3) < 2) c->stvec = v; return 0;
    case 0x106: c->scounteren = v & 0xffffffffull; return 0;
    case 0x10a: return 0;      /* senvcfg: no field implemented */
    case 0x140: c->sscratch = v; return 0;
    case 0x141: c->sepc = v & ~1ull; return 0;
    case 0x142: c->scause = v; return 0;
    case 0x143: c->stval = v; return 0;
    case 0x144: {
        uint64_t w = c->mideleg & BIT(IRQ_SSI);    /* only SSIP is writable in sip (4.1.3) */
        c->mip = (c->mip & ~w) | (v & w);
        return 0;
    }
    case 0x180: {
        /* Bare, Sv39, Sv48 or Sv57; another MODE makes the whole write
         * have no effect (4.1.11). ASIDs are not kept apart (ASIDLEN 0:
         * the field reads as zero), so a change of satp drops every
         * translation. */
        uint64_t mode = v >> SATP_MODE_SHIFT;
        if (mode != 0 && mode != SATP_SV39 && mode != SATP_SV48 && mode != SATP_SV57)
            return 0;
        c->satp = v & ((0xfull << SATP_MODE_SHIFT) | ((1ull << 44) - 1));
        bh->mmu_stale = true;
        return 0;
    }
    case 0x300: mstatus_write(bh, v, MSTATUS_WRITABLE); return 0;
    case 0x301: return 0;      /* misa: WARL, fixed */
    case 0x302: c->medeleg = v & MEDELEG_WRITABLE; return 0;
    case 0x303: c->mideleg = v & S_IRQS; return 0;
    case 0x304: c->mie = v & MIE_WRITABLE; return 0;
    case 0x305: if ((v & 3) < 2) c->mtvec = v; return 0;
    case 0x306: c->mcounteren = v & 0xffffffffull; return 0;
    case 0x30a: return 0;      /* menvcfg: no field implemented (no Sstc, no Svpbmt) */
    case 0x320: c->mcountinhibit = v & 0xfffffffdull; return 0;
    case 0x340: c->mscratch = v; return 0;
    case 0x341: c->mepc = v & ~1ull; return 0;
    case 0x342: c->mcause = v; return 0;
    case 0x343: c->mtval = v; return 0;
    case 0x344: c->mip = (c->mip & ~S_IRQS) | (v & S_IRQS); return 0;
    case 0x3a0: case 0x3a2:
        /* What S and U may reach changes: translations are made again. */
        c->pmpcfg[(csr - 0x3a0) / 2] = pmp_cfg_write(c, (csr - 0x3a0) / 2, v);
        bh->mmu_stale = true;
        return 0;
    case 0xb00: case 0xb02:
        /* The instruction writing it retires after the write: it counts. */
        h->instret_base += v - rv_instret(h) - 1;
        return 0;
    }
    if (csr >= 0x3b0 && csr < 0x3c0) {
        if (!pmp_locked(c, csr - 0x3b0)) {
            c->pmpaddr[csr - 0x3b0] = v & ((1ull << 54) - 1);
            bh->mmu_stale = true;
        }
        return 0;
    }
    if ((csr >= 0x3c0 && csr < 0x3f0) || (csr >= 0xb03 && csr < 0xb20) || (csr >= 0x323 && csr < 0x340))
        return 0;
    return -1;
}

/* A Zicsr instruction on a CSR the engine does not serve (2.1, 2.2). */
static bool csr_insn(struct board_hart *bh, uint32_t insn)
{
    struct board_cpu *c = &bh->cpu;
    struct rv_hart *h = bh->hart;
    unsigned csr = insn >> 20, rs1 = (insn >> 15) & 31, rd = (insn >> 7) & 31, f3 = (insn >> 12) & 7;
    if (f3 == 0 || f3 == 4)
        return false;
    /* Bits 9:8 name the lowest mode that may access it; 11:10 == 3: read-only. */
    if (c->priv < ((csr >> 8) & 3))
        return false;
    if (csr == 0x180 && c->priv == PRIV_S && (c->mstatus & MS_TVM))
        return false;
    bool rw = (f3 & 3) == 1, writes = rw || rs1 != 0;
    if (writes && (csr >> 10) == 3)
        return false;
    uint64_t src = f3 >= 5 ? rs1 : h->x[rs1], old = 0;
    if ((!rw || rd != 0) && csr_read(bh, csr, &old) != 0)
        return false;
    if (rw && rd == 0 && csr_read(bh, csr, &(uint64_t){ 0 }) != 0)
        return false;
    if (writes) {
        /* In a read-modify-write of mip only the software-written SEIP
         * takes part, not the PLIC's (3.1.9). */
        uint64_t base = csr == 0x344 ? c->mip : old;
        uint64_t nv = rw ? src : (f3 & 3) == 2 ? base | src : base & ~src;
        if (csr_write(bh, csr, nv) != 0)
            return false;
    }
    if (rd)
        h->x[rd] = old;
    return true;
}

/* ---- privileged instructions ---------------------------------------------- */

#define INSN_MRET 0x30200073u
#define INSN_SRET 0x10200073u
#define INSN_WFI  0x10500073u
#define SFENCE_VMA_MASK 0xfe007fffu
#define SFENCE_VMA      0x12000073u

static void xret(struct board_hart *bh, bool m)
{
    struct board_cpu *c = &bh->cpu;
    uint64_t s = c->mstatus;
    unsigned to;
    if (m) {
        /* 3.3.2: MIE = MPIE, MPIE = 1, mode = MPP, MPP = U. */
        to = (unsigned)((s & MS_MPP) >> MS_MPP_SHIFT);
        s = (s & ~(MS_MIE | MS_MPP)) | ((s & MS_MPIE) ? MS_MIE : 0) | MS_MPIE;
        bh->hart->pc = c->mepc;
    } else {
        to = (s & MS_SPP) ? PRIV_S : PRIV_U;
        s = (s & ~(MS_SIE | MS_SPP)) | ((s & MS_SPIE) ? MS_SIE : 0) | MS_SPIE;
        bh->hart->pc = c->sepc;
    }
    if (to != PRIV_M)
        s &= ~MS_MPRV;
    c->mstatus = s;
    c->priv = to;
    bh->hart->resv_valid = false;
}

uint8_t priv_deny(const struct board_hart *bh)
{
    const struct board_cpu *c = &bh->cpu;
    unsigned deny = (c->mstatus & MS_FS) == MS_FS ? 0 : RV_DENY_FP;
    if (c->priv < PRIV_M) {
        uint64_t on = c->mcounteren & (c->priv == PRIV_U ? c->scounteren : ~0ull);
        deny |= (unsigned)(~on & 7) * RV_DENY_CYCLE;
    }
    if (bh->b->cfg.icount >= 0)
        deny |= RV_DENY_TIME;     /* the engine's time CSR is the host's clock */
    return (uint8_t)deny;
}

bool priv_fp_first_use(struct board_hart *bh, uint32_t insn)
{
    struct board_cpu *c = &bh->cpu;
    uint64_t fs = c->mstatus & MS_FS;
    if (fs == 0 || fs == MS_FS || !rv_denied(RV_DENY_FP, (uint16_t)insn, (uint16_t)(insn >> 16)))
        return false;
    c->mstatus |= MS_FS;     /* Initial or Clean: the state becomes Dirty (3.1.6.6) */
    return true;
}

bool priv_emulate(struct board_hart *bh, uint32_t insn)
{
    struct board_cpu *c = &bh->cpu;
    struct rv_hart *h = bh->hart;
    if ((insn & 0x7f) != 0x73)
        return false;
    if (insn == INSN_MRET) {
        if (c->priv < PRIV_M)
            return false;
        xret(bh, true);
        return true;
    }
    if (insn == INSN_SRET) {
        if (c->priv < PRIV_S || (c->priv == PRIV_S && (c->mstatus & MS_TSR)))
            return false;
        xret(bh, false);
        return true;
    }
    if (insn == INSN_WFI) {
        /* 3.1.6.5: TW makes wfi illegal below M; in U mode it always is. */
        if (c->priv == PRIV_U || (c->priv == PRIV_S && (c->mstatus & MS_TW)))
            return false;
        c->waiting = true;
        h->pc += 4;
        return true;
    }
    if ((insn & SFENCE_VMA_MASK) == SFENCE_VMA) {
        if (c->priv == PRIV_U || (c->priv == PRIV_S && (c->mstatus & MS_TVM)))
            return false;
        bh->mmu_stale = true;     /* every address, every ASID: see satp */
        h->pc += 4;
        return true;
    }
    if (!csr_insn(bh, insn))
        return false;
    h->pc += 4;
    return true;
}
