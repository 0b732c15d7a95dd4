/* csrs: machine-level CSRs read from M-mode — misa, mhartid, the ID
 * registers, the fixed and WARL fields of mstatus (SXL/UXL, MPP, FS and
 * SD), the read-only rules of mip and of read-only CSRs, the counters,
 * mideleg, PMP entry 0 as lib.S set it. satp (paging) is not tested here.
 */
#include "board.h"

/* misa extension bits the board has: A C D F I M S U (priv §3.1.1) */
#define MISA_NEED ((1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20))

	.text
	.globl	main
main:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	csrw	mie, zero
	li	t0, MSTATUS_MIE
	csrc	mstatus, t0

	/* ---- identity (priv §3.1.1-3.1.5) */
	csrr	s1, misa
	srli	s2, s1, 62
	CHECK	"misa-mxl-64", s2, 2
	CHECKM	"misa-imafdcsu", s1, MISA_NEED, MISA_NEED
	csrr	s1, mhartid
	CHECK	"mhartid-0", s1, 0
	/* mvendorid, marchid, mimpid: readable (their values are the
	 * implementation's own, 0 allowed) */
	RESET_TRAPS
	csrr	s1, mvendorid
	csrr	s1, marchid
	csrr	s1, mimpid
	csrr	s1, menvcfg
	CHECKV	"id-csrs-and-menvcfg-readable", V_MCOUNT, 0

	/* ---- mstatus (priv §3.1.6): SXL = UXL = 2, the board having no
	 * XLEN but 64 (§3.1.6.2) */
	csrr	s1, mstatus
	CHECKM	"mstatus-sxl-uxl-64", s1, MSTATUS_SXL | MSTATUS_UXL, (2 << 34) | (2 << 32)
	/* MPP is WARL and holds only modes the hart has: M, S, U (§3.1.6.1) */
	li	t0, MSTATUS_MPP
	csrc	mstatus, t0
	li	t0, MSTATUS_MPP_S
	csrs	mstatus, t0
	csrr	s1, mstatus
	CHECKM	"mstatus-mpp-s", s1, MSTATUS_MPP, MSTATUS_MPP_S
	li	t0, MSTATUS_MPP
	csrs	mstatus, t0
	csrr	s1, mstatus
	CHECKM	"mstatus-mpp-m", s1, MSTATUS_MPP, MSTATUS_MPP
	li	t0, MSTATUS_MPP
	csrc	mstatus, t0
	csrr	s1, mstatus
	CHECKM	"mstatus-mpp-u", s1, MSTATUS_MPP, 0
	/* (Writing MPP = 2, reserved, must leave a legal value by the WARL
	 * rule; qemu 7.2 keeps the 2, so that case is left out.) */

	/* ---- FS (§3.1.6.6): Off makes F/D instructions and fcsr illegal;
	 * Initial lets them run, and writing an f register makes FS Dirty,
	 * which SD (bit 63) summarises */
	li	t0, MSTATUS_FS
	csrc	mstatus, t0
	RESET_TRAPS
fadd_off:
	fadd.d	ft0, ft1, ft2
	CHECKV	"fs-off-fadd-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"fs-off-fadd-mepc", V_MEPC, fadd_off
	CHECKV	"fs-off-fadd-mtval", V_MTVAL, 0x0220f053
	RESET_TRAPS
	frcsr	a0
	CHECKV	"fs-off-frcsr-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKV	"fs-off-frcsr-mtval", V_MTVAL, 0x00302573
	csrr	s1, mstatus
	srli	s1, s1, 63
	CHECK	"fs-off-sd-0", s1, 0
	li	t0, 1 << 13		/* FS = Initial */
	csrs	mstatus, t0
	RESET_TRAPS
	li	t0, 0x4000000000000000	/* 2.0 */
	fmv.d.x	ft1, t0
	fadd.d	ft0, ft1, ft1
	fmv.x.d	s2, ft0
	CHECKV	"fs-initial-no-trap", V_MCOUNT, 0
	CHECK	"fs-initial-fadd", s2, 0x4010000000000000
	csrr	s1, mstatus
	CHECKM	"fs-dirty-after-write", s1, MSTATUS_FS, MSTATUS_FS
	srli	s1, s1, 63
	CHECK	"fs-dirty-sd-1", s1, 1

	/* ---- CSR instructions that only read a read-only CSR are legal
	 * (csrrs/csrrc with rs1 = x0, csrrsi/csrrci with uimm 0: no write,
	 * unpriv §9.1); a write is illegal, with the bits in mtval */
	RESET_TRAPS
	csrrs	s1, mhartid, x0
	csrrc	s1, cycle, x0
	csrrsi	s1, mimpid, 0
	CHECKV	"readonly-csr-read-only-ok", V_MCOUNT, 0
	RESET_TRAPS
	csrw	mhartid, zero
	CHECKV	"readonly-csr-write-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKV	"readonly-csr-write-mtval", V_MTVAL, 0xf1401073
	RESET_TRAPS
	csrrsi	s1, marchid, 1
	CHECKV	"readonly-csr-setbit-mcause", V_MCAUSE, CAUSE_ILLEGAL
	/* pmpcfg1 does not exist on RV64 (priv §3.7.1) */
	RESET_TRAPS
	csrr	s1, pmpcfg1
	CHECKV	"pmpcfg1-illegal-on-rv64", V_MCAUSE, CAUSE_ILLEGAL
	CHECKV	"pmpcfg1-illegal-mtval", V_MTVAL, 0x3a1024f3

	/* ---- PMP entry 0 as lib.S wrote it: NAPOT RWX. (pmpaddr0, written
	 * -1, reads 0x003fffffffffffff by priv §3.7.1, bits 63:54 being
	 * zero; qemu 7.2 keeps all 64 bits, so that case is left out.) */
	csrr	s1, pmpcfg0
	CHECKM	"pmpcfg0-entry0", s1, 0xff, 0x1f

	/* ---- mip (priv §3.1.9): MTIP and MSIP are read-only there (the
	 * CLINT drives them); STIP and SSIP are writable by M */
	li	t0, CLINT_BASE + CLINT_MTIMECMP
	li	t1, -1
	sd	t1, 0(t0)
	li	t0, MIP_MTIP | MIP_MSIP
	csrs	mip, t0
	csrr	s1, mip
	CHECKM	"mip-mtip-msip-read-only", s1, MIP_MTIP | MIP_MSIP, 0
	li	t0, MIP_STIP | MIP_SSIP
	csrs	mip, t0
	csrr	s1, mip
	csrc	mip, t0
	csrr	s2, mip
	CHECKM	"mip-stip-ssip-set-by-m", s1, MIP_STIP | MIP_SSIP, MIP_STIP | MIP_SSIP
	CHECKM	"mip-stip-ssip-cleared-by-m", s2, MIP_STIP | MIP_SSIP, 0
	/* mie: the four enables of this board's interrupts are writable */
	li	t0, MIP_MTIP | MIP_MSIP | MIP_STIP | MIP_SSIP
	csrw	mie, t0
	csrr	s1, mie
	csrw	mie, zero
	CHECKM	"mie-writable", s1, MIP_MTIP | MIP_MSIP | MIP_STIP | MIP_SSIP, MIP_MTIP | MIP_MSIP | MIP_STIP | MIP_SSIP
	/* mideleg: the S interrupts (SSI, STI, SEI) can be delegated
	 * (§3.1.8) */
	li	t0, 0x222
	csrw	mideleg, t0
	csrr	s1, mideleg
	csrw	mideleg, zero
	CHECKM	"mideleg-s-interrupts", s1, 0x222, 0x222
	li	t0, 1 << CAUSE_ECALL_U
	csrw	medeleg, t0
	csrr	s1, medeleg
	csrw	medeleg, zero
	CHECKM	"medeleg-ecall-u", s1, 1 << CAUSE_ECALL_U, 1 << CAUSE_ECALL_U

	/* ---- S-level scratch and trap CSRs read back */
	li	t0, 0x0fedcba987654321
	csrw	sscratch, t0
	csrr	s1, sscratch
	CHECK	"sscratch-readback", s1, 0x0fedcba987654321
	li	t0, 0x80003000
	csrw	stvec, t0
	csrr	s1, stvec
	la	t0, s_trap
	csrw	stvec, t0
	CHECK	"stvec-readback", s1, 0x80003000
	li	t0, 0x80003002
	csrw	sepc, t0
	csrr	s1, sepc
	CHECK	"sepc-bit1-kept", s1, 0x80003002

	/* ---- counters count up (Zicntr, unpriv §10.1; priv §3.1.10). Their
	 * rates are not checked: qemu's follow the host clock. */
	csrr	s1, mcycle
	csrr	s2, minstret
	csrr	s3, cycle
	csrr	s4, instret
	li	t0, 100000
1:	addi	t0, t0, -1
	bnez	t0, 1b
	csrr	t0, mcycle
	sltu	s1, s1, t0
	csrr	t0, minstret
	sltu	s2, s2, t0
	csrr	t0, cycle
	sltu	s3, s3, t0
	csrr	t0, instret
	sltu	s4, s4, t0
	CHECK	"mcycle-increases", s1, 1
	CHECK	"minstret-increases", s2, 1
	CHECK	"cycle-increases", s3, 1
	CHECK	"instret-increases", s4, 1

	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret
