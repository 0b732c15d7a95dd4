/* modes: the privilege modes M, S and U without paging — mret into S and U,
 * environment calls from each mode, the mstatus interrupt-enable stacks
 * (MPP/MPIE/MIE, SPP/SPIE/SIE) across traps and xRETs, CSR privilege,
 * xRET privilege and mstatus.TSR, exception delegation to S-mode through
 * medeleg, sstatus as a view of mstatus, and mcounteren/scounteren.
 *
 * Lower-mode snippets are entered with ENTER (board.h) and end with the
 * one trap to M they are about; the M handler then resumes in M-mode.
 * Instruction bits in mtval: priv §3.1.16 allows 0 or the bits; qemu gives
 * the bits and so must the board.
 */
#include "board.h"

	.text
	.globl	main
main:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	csrw	mie, zero		/* no interrupt in this kernel */
	csrw	medeleg, zero
	csrw	mideleg, zero
	li	t0, MSTATUS_MIE | MSTATUS_SIE | MSTATUS_MPIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_TSR | MSTATUS_MPRV
	csrc	mstatus, t0

	/* ---- mret to M itself: MIE = MPIE (1), MPIE = 1, MPP = U, the
	 * least-privileged mode (priv §3.1.6.1, §3.3.2) */
	li	t0, MSTATUS_MPP | MSTATUS_MPIE
	csrs	mstatus, t0
	la	t0, 1f
	csrw	mepc, t0
	mret
	j	2f			/* not reached */
1:	csrr	s1, mstatus
	CHECKM	"mret-to-m-stack", s1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MIE | MSTATUS_MPIE
2:	li	t0, MSTATUS_MIE
	csrc	mstatus, t0

	/* ---- mret to S with MPIE = 1: S runs with MIE = 1 (harmless, mie
	 * = 0); its ecall is cause 9, and the trap stacks MIE into MPIE,
	 * clears MIE and records S in MPP (priv §3.1.6.1, table 3.6) */
	RESET_TRAPS
	li	t0, MSTATUS_MPIE
	csrs	mstatus, t0
	ENTER	PRV_S, s_ecall, 1f
1:	CHECKV	"ecall-s-count", V_MCOUNT, 1
	CHECKV	"ecall-s-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECKVA	"ecall-s-mepc", V_MEPC, s_ecall
	CHECKV	"ecall-s-mtval", V_MTVAL, 0
	CHECKVM	"ecall-s-mstatus", V_MSTATUS, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP_S

	/* ---- mret to U with MPIE = 0: ecall is cause 8, MPP = U */
	RESET_TRAPS
	li	t0, MSTATUS_MPIE
	csrc	mstatus, t0
	ENTER	PRV_U, u_ecall, 1f
1:	CHECKV	"ecall-u-count", V_MCOUNT, 1
	CHECKV	"ecall-u-mcause", V_MCAUSE, CAUSE_ECALL_U
	CHECKVA	"ecall-u-mepc", V_MEPC, u_ecall
	CHECKV	"ecall-u-mtval", V_MTVAL, 0
	CHECKVM	"ecall-u-mstatus", V_MSTATUS, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, 0

	/* ---- CSR privilege: a CSR's address bits 9:8 give the lowest mode
	 * that may access it; below that, illegal instruction (priv §2.1) */
	RESET_TRAPS
	ENTER	PRV_S, s_read_mstatus, 1f
1:	CHECKV	"s-csrr-mstatus-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"s-csrr-mstatus-mepc", V_MEPC, s_read_mstatus
	CHECKV	"s-csrr-mstatus-mtval", V_MTVAL, 0x30002573
	CHECKVM	"s-csrr-mstatus-mpp", V_MSTATUS, MSTATUS_MPP, MSTATUS_MPP_S
	RESET_TRAPS
	ENTER	PRV_S, s_read_mhartid, 1f
1:	CHECKV	"s-csrr-mhartid-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"s-csrr-mhartid-mepc", V_MEPC, s_read_mhartid
	CHECKV	"s-csrr-mhartid-mtval", V_MTVAL, 0xf1402573
	RESET_TRAPS
	ENTER	PRV_U, u_read_sstatus, 1f
1:	CHECKV	"u-csrr-sstatus-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"u-csrr-sstatus-mepc", V_MEPC, u_read_sstatus
	CHECKV	"u-csrr-sstatus-mtval", V_MTVAL, 0x10002573
	CHECKVM	"u-csrr-sstatus-mpp", V_MSTATUS, MSTATUS_MPP, 0
	/* S may read its own CSRs: the snippet reaches its ebreak */
	RESET_TRAPS
	ENTER	PRV_S, s_read_sstatus, 1f
1:	CHECKV	"s-csrr-sstatus-allowed", V_MCAUSE, CAUSE_BREAKPOINT
	CHECKVA	"s-csrr-sstatus-mepc", V_MEPC, s_read_sstatus_end

	/* ---- xRET privilege (priv §3.3.2): mret below M and sret in U are
	 * illegal; with mstatus.TSR = 1 so is sret in S (priv §3.1.6.5) */
	RESET_TRAPS
	ENTER	PRV_U, u_mret, 1f
1:	CHECKV	"u-mret-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"u-mret-mepc", V_MEPC, u_mret
	CHECKV	"u-mret-mtval", V_MTVAL, 0x30200073
	RESET_TRAPS
	ENTER	PRV_U, u_sret, 1f
1:	CHECKV	"u-sret-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"u-sret-mepc", V_MEPC, u_sret
	CHECKV	"u-sret-mtval", V_MTVAL, 0x10200073
	RESET_TRAPS
	ENTER	PRV_S, s_mret, 1f
1:	CHECKV	"s-mret-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"s-mret-mepc", V_MEPC, s_mret
	CHECKV	"s-mret-mtval", V_MTVAL, 0x30200073
	RESET_TRAPS
	li	t0, MSTATUS_TSR
	csrs	mstatus, t0
	ENTER	PRV_S, s_sret, 1f
1:	li	t0, MSTATUS_TSR
	csrc	mstatus, t0
	CHECKV	"s-sret-tsr-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKVA	"s-sret-tsr-mepc", V_MEPC, s_sret_insn
	CHECKV	"s-sret-tsr-mtval", V_MTVAL, 0x10200073
	/* TSR = 0: the same sret works; with SPP = U (set by the snippet)
	 * it goes to U-mode, whose ecall is cause 8 */
	RESET_TRAPS
	ENTER	PRV_S, s_sret, 1f
1:	CHECKV	"s-sret-to-u-mcause", V_MCAUSE, CAUSE_ECALL_U
	CHECKVA	"s-sret-to-u-mepc", V_MEPC, u_after_sret

	/* ---- delegation (priv §3.1.8): with medeleg[8] set, ecall from U
	 * traps to S (stvec): scause 8, sepc = the ecall, stval 0, and the
	 * S stack: SPP = U, SPIE = SIE (1), SIE = 0 (priv §4.1.1). sret goes
	 * back to U: SIE = SPIE, SPIE = 1, SPP = U; then the ebreak (not
	 * delegated) reaches M, whose record of mstatus shows that stack. */
	RESET_TRAPS
	li	t0, 1 << CAUSE_ECALL_U
	csrw	medeleg, t0
	li	t0, MSTATUS_SIE
	csrs	sstatus, t0
	ENTER	PRV_U, u_deleg, 1f
1:	csrw	medeleg, zero
	li	t0, MSTATUS_SIE | MSTATUS_SPIE
	csrc	mstatus, t0
	CHECKV	"deleg-ecall-u-scount", V_SCOUNT, 1
	CHECKV	"deleg-ecall-u-scause", V_SCAUSE, CAUSE_ECALL_U
	CHECKVA	"deleg-ecall-u-sepc", V_SEPC, u_deleg
	CHECKV	"deleg-ecall-u-stval", V_STVAL, 0
	CHECKVM	"deleg-ecall-u-sstatus", V_SSTATUS, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SPIE
	CHECKV	"deleg-ebreak-mcount", V_MCOUNT, 1
	CHECKV	"deleg-ebreak-mcause", V_MCAUSE, CAUSE_BREAKPOINT
	CHECKVA	"deleg-ebreak-mepc", V_MEPC, u_deleg_end
	CHECKVM	"deleg-after-sret-mstatus", V_MSTATUS, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_MPP, MSTATUS_SIE | MSTATUS_SPIE
	/* medeleg[9]: ecall from S stays in S, SPP = S, SIE was 0 */
	RESET_TRAPS
	li	t0, 1 << CAUSE_ECALL_S
	csrw	medeleg, t0
	ENTER	PRV_S, s_deleg, 1f
1:	csrw	medeleg, zero
	CHECKV	"deleg-ecall-s-scount", V_SCOUNT, 1
	CHECKV	"deleg-ecall-s-scause", V_SCAUSE, CAUSE_ECALL_S
	CHECKVA	"deleg-ecall-s-sepc", V_SEPC, s_deleg
	CHECKVM	"deleg-ecall-s-sstatus", V_SSTATUS, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SPP
	CHECKVA	"deleg-ecall-s-then-ebreak", V_MEPC, s_deleg_end
	CHECKVM	"deleg-ecall-s-after-sret", V_MSTATUS, MSTATUS_SPP | MSTATUS_MPP, MSTATUS_MPP_S
	/* traps never go to a less privileged mode: with medeleg[2] set, an
	 * illegal instruction in M still traps to M (priv §3.1.8) */
	RESET_TRAPS
	li	t0, 1 << CAUSE_ILLEGAL
	csrw	medeleg, t0
	.word	0xc0001073
	csrw	medeleg, zero
	CHECKV	"deleg-not-from-m-mcount", V_MCOUNT, 1
	CHECKV	"deleg-not-from-m-scount", V_SCOUNT, 0
	/* medeleg[2] from U: the illegal csrr sstatus goes to S */
	RESET_TRAPS
	li	t0, 1 << CAUSE_ILLEGAL
	csrw	medeleg, t0
	ENTER	PRV_U, u_read_sstatus, 1f
1:	csrw	medeleg, zero
	CHECKV	"deleg-illegal-u-scause", V_SCAUSE, CAUSE_ILLEGAL
	CHECKVA	"deleg-illegal-u-sepc", V_SEPC, u_read_sstatus
	CHECKV	"deleg-illegal-u-stval", V_STVAL, 0x10002573
	CHECKVA	"deleg-illegal-u-then-ebreak", V_MEPC, u_read_sstatus_end

	/* ---- sstatus is a view of mstatus (priv §4.1.1): SIE written
	 * through sstatus is mstatus.SIE; M-only fields read as 0 in
	 * sstatus and cannot be written through it */
	li	t0, MSTATUS_SIE
	csrc	mstatus, t0
	csrs	sstatus, t0
	csrr	s1, mstatus
	CHECKM	"sstatus-sie-is-mstatus-sie", s1, MSTATUS_SIE, MSTATUS_SIE
	li	t0, MSTATUS_SIE
	csrc	sstatus, t0
	csrr	s1, mstatus
	CHECKM	"sstatus-sie-cleared", s1, MSTATUS_SIE, 0
	li	t0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_TSR
	csrs	mstatus, t0
	csrr	s1, sstatus
	CHECKM	"sstatus-hides-m-fields", s1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TSR | MSTATUS_TW | MSTATUS_TVM | MSTATUS_MPRV, 0
	li	t0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_TSR
	csrc	mstatus, t0
	li	t0, MSTATUS_MPIE | MSTATUS_TSR
	csrs	sstatus, t0
	csrr	s1, mstatus
	CHECKM	"sstatus-cannot-set-m-fields", s1, MSTATUS_MPIE | MSTATUS_TSR, 0
	li	t0, MSTATUS_SPP
	csrs	sstatus, t0
	csrr	s1, mstatus
	CHECKM	"sstatus-spp-is-mstatus-spp", s1, MSTATUS_SPP, MSTATUS_SPP
	li	t0, MSTATUS_SPP
	csrc	mstatus, t0

	/* ---- counter enables (priv §3.1.11, §4.1.5): the board implements
	 * CY, TM and IR of mcounteren and scounteren as writable bits (as
	 * qemu does). A clear bit makes the counter illegal in the modes
	 * below. */
	csrw	mcounteren, zero
	csrw	scounteren, zero
	RESET_TRAPS
	ENTER	PRV_S, s_rdcycle, 1f
1:	CHECKV	"s-rdcycle-mcounteren0-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKV	"s-rdcycle-mcounteren0-mtval", V_MTVAL, 0xc0002573
	li	t0, 7
	csrw	mcounteren, t0
	csrr	s1, mcounteren
	CHECKM	"mcounteren-cy-tm-ir", s1, 7, 7
	RESET_TRAPS
	ENTER	PRV_S, s_rdcycle, 1f
1:	CHECKV	"s-rdcycle-allowed", V_MCAUSE, CAUSE_BREAKPOINT
	CHECKVA	"s-rdcycle-allowed-mepc", V_MEPC, s_rdcycle_end
	RESET_TRAPS
	ENTER	PRV_U, u_rdtime, 1f
1:	CHECKV	"u-rdtime-scounteren0-mcause", V_MCAUSE, CAUSE_ILLEGAL
	CHECKV	"u-rdtime-scounteren0-mtval", V_MTVAL, 0xc0102573
	li	t0, 7
	csrw	scounteren, t0
	RESET_TRAPS
	ENTER	PRV_U, u_rdtime, 1f
1:	CHECKV	"u-rdtime-allowed", V_MCAUSE, CAUSE_BREAKPOINT
	CHECKVA	"u-rdtime-allowed-mepc", V_MEPC, u_rdtime_end
	li	t0, 2			/* TM only */
	csrw	mcounteren, t0
	RESET_TRAPS
	ENTER	PRV_U, u_rdinstret, 1f
1:	CHECKV	"u-rdinstret-mcounteren-ir0", V_MCAUSE, CAUSE_ILLEGAL
	CHECKV	"u-rdinstret-mcounteren-ir0-mtval", V_MTVAL, 0xc0202573
	csrw	mcounteren, zero
	csrw	scounteren, zero

	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret

/* ---- the lower-mode snippets: each ends in its one trap to M */
	.option	push
	.option	norvc
s_ecall:
	ecall
u_ecall:
	ecall
s_read_mstatus:
	csrr	a0, mstatus
	ebreak
s_read_mhartid:
	csrr	a0, mhartid
	ebreak
u_read_sstatus:
	csrr	a0, sstatus
u_read_sstatus_end:
	ebreak
s_read_sstatus:
	csrr	a0, sstatus
s_read_sstatus_end:
	ebreak
u_mret:
	mret
	ebreak
u_sret:
	sret
	ebreak
s_mret:
	mret
	ebreak
s_sret:
	/* SPP = U, sepc = u_after_sret */
	li	a0, MSTATUS_SPP
	csrc	sstatus, a0
	la	a0, u_after_sret
	csrw	sepc, a0
s_sret_insn:
	sret
	ebreak
u_after_sret:
	ecall
u_deleg:
	ecall				/* to S, and back */
u_deleg_end:
	ebreak				/* to M */
s_deleg:
	ecall				/* to S itself, and back */
s_deleg_end:
	ebreak
s_rdcycle:
	csrr	a0, cycle
s_rdcycle_end:
	ebreak
u_rdtime:
	csrr	a0, time
u_rdtime_end:
	ebreak
u_rdinstret:
	csrr	a0, instret
	ebreak
	.option	pop
