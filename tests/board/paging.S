/* paging: address translation — Sv39, Sv48 and Sv57 page tables (satp
 * MODE 8, 9, 10): reads through 4 KiB pages, superpages and upper-half
 * addresses; satp read-back; non-canonical addresses; the page faults of
 * the walk (V = 0, W without R, no leaf at the last level, a misaligned
 * superpage, reserved bits 63:54 in a leaf, and D, A, U or bit 54 in a
 * pointer); a page fault delegated to S; an instruction across a page
 * boundary; the U, SUM, MXR, R, W and X permissions; the accessed and
 * dirty bits; sfence.vma; M-mode untouched by satp; a device (the UART)
 * through a translated address, and lib.S's own output from S-mode.
 *
 * Section numbers are those of the RISC-V privileged specification
 * 20211203: §4.1.11 satp, §4.2.1 sfence.vma, §4.3.1 the PTE and its bits
 * (Sv32, which the other schemes follow), §4.3.2 the walk (steps 1-8),
 * §4.4 Sv39, §4.5 Sv48, §4.6 Sv57, §3.1.6.3 MPRV, SUM and MXR, §3.1.16
 * mtval.
 *
 * The tables, built by M-mode at the start (bss, so all zero first):
 *
 *   root39 (the Sv39 root; level 2 under every mode, see below)
 *     [0]   1 GiB leaf, VA 0 -> PA 0, R W (the devices: lib.S's UART)
 *     [2]   1 GiB leaf, VA 0x80000000 -> PA 0x80000000, R W X (the
 *           kernel, identity-mapped, so lib.S runs in S-mode unchanged)
 *     [3]   1 GiB leaf, VA 0xc0000000 -> PA 0x80000000, R X U (U_ALIAS:
 *           the kernel's code as U-mode sees it)
 *     [4]   -> l1: VA TVA = 0x1_0000_0000, the test pages
 *     [510] -> l1 as well: VA 0xffff_ffff_8000_0000, an upper-half 4 KiB
 *     [511] 1 GiB leaf, VA 0xffff_ffff_c000_0000 -> PA 0x80000000, R W
 *   l1  [0] -> l0;  [1] 2 MiB leaf, TVA + 2 MiB -> PA 0x87000000, R W;
 *       [2] 2 MiB leaf whose PPN is 0x87001 (misaligned);
 *       [3..6] -> l0 again, with A, D, U, bit 54 set (reserved, see below)
 *   l0  [n] the 4 KiB test pages at TVA + n * 4 KiB (PG_* below)
 *   root48 (Sv48 root, level 3): [0] -> root39, [1] 512 GiB leaf VA
 *       2^39 -> PA 0, [256] 512 GiB leaf VA 0xffff_8000_0000_0000 -> PA 0,
 *       [511] -> root39
 *   root57 (Sv57 root, level 4): [0] -> root48, [1] 256 TiB leaf VA
 *       2^48 -> PA 0, [256] 256 TiB leaf VA 0xff00_0000_0000_0000 -> PA 0,
 *       [511] -> root48
 *   root_empty: every PTE 0.
 * A table is a table at whichever level it is reached (§4.3.2 step 4), so
 * root39 serves as Sv39's root and as Sv48's and Sv57's level-2 table.
 * Every leaf has A and D set (and non-leaf PTEs have D, A, U clear, as
 * §4.3.1 asks) except where a case is about them.
 *
 * Accessed and dirty bits (§4.3.1, §4.3.2 step 7): the specification
 * allows two schemes, a page fault when A is clear (or D on a store) for
 * software to set it, or the hardware setting it. The board faults
 * (Svade), qemu 7.2 sets the bits. The M handler of this kernel (pg_mtrap)
 * resolves such a fault — when PG_FIX_PTE names a PTE that lacks the bit —
 * by setting the bit and retrying; the checks then ask only that the
 * access happened and that the PTE has the bits, never whether a fault
 * came. Every other trap goes on to lib.S's m_trap.
 *
 * S- and U-mode snippets are entered with ENTER/RUN and end with their one
 * trap to M (ecall, or the fault under test), which resumes in M-mode.
 * Faults are taken to M (medeleg = 0) except in the one delegation case.
 */
#include "board.h"

/* PTE bits (§4.3.1; Sv39/48/57 keep them, §4.4.1) */
#define PTE_V	0x01
#define PTE_R	0x02
#define PTE_W	0x04
#define PTE_X	0x08
#define PTE_U	0x10
#define PTE_A	0x40
#define PTE_D	0x80
#define RWAD	(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

/* satp (§4.1.11): MODE in 63:60, ASID in 59:44 (always 0 here), PPN */
#define SATP_SV39	(8 << 60)
#define SATP_SV48	(9 << 60)
#define SATP_SV57	(10 << 60)
#define SATP_SV64	(11 << 60)	/* reserved: not supported */

/* virtual addresses */
#define TVA		0x100000000	/* root39[4]: the test pages */
#define PG(n)		(TVA + (n) * 0x1000)
#define SUPER_VA	(TVA + 0x200000)	/* l1[1], 2 MiB */
#define SUPER_PA	0x87000000
#define SUPER_OFF	0x12340			/* beyond the first 4 KiB */
#define MISALIGNED_VA	(TVA + 0x400000)	/* l1[2] */
#define PTR_A_VA	(TVA + 0x600000)	/* l1[3]: -> l0, with A */
#define PTR_D_VA	(TVA + 0x800000)	/* l1[4]: -> l0, with D */
#define PTR_U_VA	(TVA + 0xa00000)	/* l1[5]: -> l0, with U */
#define PTR_RSV54_VA	(TVA + 0xc00000)	/* l1[6]: -> l0, with bit 54 */
#define U_ALIAS		0xc0000000	/* root39[3] */
#define HI_4K		0xffffffff80000000	/* root39[510] -> l1[0] -> l0[0] */
#define HI_GIGA		0xffffffffc0000000	/* root39[511] */
#define TERA_VA		0x0000008000000000	/* root48[1] */
#define HI_TERA		0xffff800000000000	/* root48[256] */
#define PETA_VA		0x0001000000000000	/* root57[1] */
#define HI_PETA		0xff00000000000000	/* root57[256] */

/* the 4 KiB test pages: l0 slots */
#define PG_A		0	/* R W A D -> page_a */
#define PG_UNMAPPED	1	/* 0 (V = 0) */
#define PG_WONLY	2	/* V W A D: W without R, reserved */
#define PG_NOLEAF	3	/* V only: a pointer at level 0 */
#define PG_RSV54	4	/* R W A D and bit 54 */
#define PG_RSV63	5	/* R W A D and bit 63 (N, without Svnapot) */
#define PG_RSV61	6	/* R W A D and bit 61 (PBMT, without Svpbmt) */
#define PG_RONLY	7	/* V R A D -> page_a */
#define PG_NOX		8	/* R W A D -> code_page */
#define PG_X		9	/* V R X A -> code_page */
#define PG_XONLY	10	/* V X A -> page_a */
#define PG_ACLEAR	11	/* V R W -> page_c */
#define PG_DCLEAR	12	/* V R W A -> page_d */
#define PG_ADCLEAR	13	/* V R W -> page_e */
#define PG_XACLEAR	14	/* V R X -> code_page */
#define PG_UART		15	/* R W A D -> 0x10000000 */
#define PG_SFENCE	16	/* R W A D -> page_a, then page_b */
#define PG_U		17	/* R W U A D -> page_a */
#define PG_CROSS	18	/* V R X A -> code_cross; 19 unmapped */
#define PG_CROSS2	20	/* V R X A -> code_cross, 21 -> the page after */

/* the values in the pages */
#define VAL_A		0xa1a2a3a4a5a6a7a8
#define VAL_B		0xb1b2b3b4b5b6b7b8
#define VAL_C		0xc1c2c3c4c5c6c7c8
#define VAL_S		0x5151525253535454	/* in the 2 MiB superpage */
#define VAL_CODE	0x5a			/* code_page's li */
#define VAL_STORE	0xd1d2d3d4d5d6d7d8

/* pg_vars */
#define PG_FIX_PTE	0	/* the PTE pg_mtrap may complete, or 0 */
#define PG_FIXES	8	/* faults it resolved */
#define PG_FIX_CAUSE	16	/* the last one's mcause, mtval */
#define PG_FIX_TVAL	24
#define PG_SAVE		32	/* t1-t3 */

/* PTE table, index, label, flags: table[index] = label's PPN | flags. */
.macro PTE table, index, label, flags
	la	t0, \label
	srli	t0, t0, 12
	slli	t0, t0, 10
	li	t1, \flags
	or	t0, t0, t1
	la	t1, \table
	li	t2, (\index) * 8
	add	t1, t1, t2
	sd	t0, 0(t1)
.endm

/* PTEPA table, index, pa, flags: the same for a constant physical address. */
.macro PTEPA table, index, pa, flags
	li	t0, (((\pa) >> 12) << 10) | (\flags)
	la	t1, \table
	li	t2, (\index) * 8
	add	t1, t1, t2
	sd	t0, 0(t1)
.endm

/* SATP mode, root: satp = mode | root's PPN (ASID 0), then sfence.vma;
 * the value written is left in s1. */
.macro SATP mode, root
	la	t0, \root
	srli	t0, t0, 12
	li	t1, \mode
	or	s1, t0, t1
	csrw	satp, s1
	sfence.vma
.endm

/* RUN mode, snippet: forget the last traps, run snippet (identity-mapped)
 * in mode until its trap to M, continue here in M-mode. */
.macro RUN mode, snippet
	RESET_TRAPS
	ENTER	\mode, \snippet, .Lrun\@
.Lrun\@:
.endm

/* RUN_AT mode, snippet, base: the same, entering snippet at its address
 * seen through the 1 GiB page at base (which maps RAM_BASE). */
.macro RUN_AT mode, snippet, base
	RESET_TRAPS
	RESUME_AT .Lrun\@
	li	t0, MSTATUS_MPP
	csrc	mstatus, t0
	li	t0, (\mode << 11)
	csrs	mstatus, t0
	la	t0, \snippet
	li	t1, (\base) - RAM_BASE
	add	t0, t0, t1
	csrw	mepc, t0
	mret
.Lrun\@:
.endm

/* LA_AT reg, label, base: reg = label's address through base. */
.macro LA_AT reg, label, base
	la	\reg, \label
	li	t0, (\base) - RAM_BASE
	add	\reg, \reg, t0
.endm

/* CHECKVR name, var, reg: a V_* variable against a register (s0-s11). */
.macro CHECKVR name, var, reg
	ld	a1, \var(gp)
	mv	a2, \reg
	la	a0, .Lname\@
	call	check
	.pushsection .rodata
.Lname\@: .asciz "\name"
	.popsection
.endm

/* FAULT name, cause, epc, tvalreg: the last trap to M was cause at the
 * instruction labelled epc, with mtval = tvalreg (the faulting virtual
 * address, §3.1.16). */
.macro FAULT name, cause, epc, tvalreg
	CHECKV	"\name-mcause", V_MCAUSE, \cause
	CHECKVA	"\name-mepc", V_MEPC, \epc
	CHECKVR	"\name-mtval", V_MTVAL, \tvalreg
.endm

/* FETCHFAULT name, reg: an instruction page fault at reg: mepc = mtval =
 * reg (§3.1.15, §3.1.16). */
.macro FETCHFAULT name, reg
	CHECKV	"\name-mcause", V_MCAUSE, CAUSE_FETCH_PAGE
	CHECKVR	"\name-mepc", V_MEPC, \reg
	CHECKVR	"\name-mtval", V_MTVAL, \reg
.endm

/* S_LOAD_FAULT, S_STORE_FAULT, S_FETCH_FAULT name, va: S-mode loads from,
 * stores to, jumps to va (a constant), which gives a page fault (cause 13,
 * 15, 12) with mtval = va. */
.macro S_LOAD_FAULT name, va
	li	s1, \va
	mv	a0, s1
	RUN	PRV_S, s_ld
	FAULT	\name, CAUSE_LOAD_PAGE, s_ld, s1
.endm

.macro S_STORE_FAULT name, va
	li	s1, \va
	mv	a0, s1
	li	a1, VAL_STORE
	RUN	PRV_S, s_sd
	FAULT	\name, CAUSE_STORE_PAGE, s_sd, s1
.endm

.macro S_FETCH_FAULT name, va
	li	s1, \va
	mv	a0, s1
	RUN	PRV_S, s_jump
	FETCHFAULT \name, s1
.endm

/* FIXED name, cause, vareg: if pg_mtrap resolved a fault, it was cause at
 * vareg (one line either way, so that both schemes print the same). */
.macro FIXED name, cause, vareg
	la	t3, pg_vars
	ld	t4, PG_FIXES(t3)
	li	s8, \cause
	mv	s9, \vareg
	beqz	t4, .Lfx\@
	ld	s8, PG_FIX_CAUSE(t3)
	ld	s9, PG_FIX_TVAL(t3)
.Lfx\@:	CHECK	"\name-if-fault-cause", s8, \cause
	CHECKR	"\name-if-fault-mtval", s9, \vareg
.endm

/* FIX_PTE slot: pg_mtrap may complete l0[slot]; FIX_PTE_OFF: none. */
.macro FIX_PTE slot
	la	t0, pg_vars
	la	t1, l0 + (\slot) * 8
	sd	t1, PG_FIX_PTE(t0)
	sd	zero, PG_FIXES(t0)
	sd	zero, PG_FIX_CAUSE(t0)
	sd	zero, PG_FIX_TVAL(t0)
.endm
.macro FIX_PTE_OFF
	la	t0, pg_vars
	sd	zero, PG_FIX_PTE(t0)
.endm

	.text
	.globl	main
main:
	addi	sp, sp, -112
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	sd	s3, 32(sp)
	sd	s4, 40(sp)
	sd	s5, 48(sp)
	sd	s6, 56(sp)
	sd	s7, 64(sp)
	sd	s8, 72(sp)
	sd	s9, 80(sp)
	sd	s10, 88(sp)
	sd	s11, 96(sp)
	csrw	mie, zero		/* no interrupt in this kernel */
	csrw	medeleg, zero
	csrw	mideleg, zero
	li	t0, MSTATUS_MIE | MSTATUS_SIE | MSTATUS_MPIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_TSR | MSTATUS_TVM | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR
	csrc	mstatus, t0
	la	t0, pg_mtrap
	csrw	mtvec, t0

	/* ---- the tables (see the top) */
	PTEPA	root39, 0, 0, RWAD
	PTEPA	root39, 2, RAM_BASE, RWAD | PTE_X
	PTEPA	root39, 3, RAM_BASE, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A
	PTE	root39, 4, l1, PTE_V
	PTE	root39, 510, l1, PTE_V
	PTEPA	root39, 511, RAM_BASE, RWAD
	PTE	l1, 0, l0, PTE_V
	PTEPA	l1, 1, SUPER_PA, RWAD
	PTEPA	l1, 2, SUPER_PA + 0x1000, RWAD
	PTE	l1, 3, l0, PTE_V | PTE_A
	PTE	l1, 4, l0, PTE_V | PTE_D
	PTE	l1, 5, l0, PTE_V | PTE_U
	PTE	l1, 6, l0, PTE_V | (1 << 54)
	PTE	l0, PG_CROSS, code_cross, PTE_V | PTE_R | PTE_X | PTE_A
	PTE	l0, PG_CROSS2, code_cross, PTE_V | PTE_R | PTE_X | PTE_A
	PTE	l0, PG_CROSS2 + 1, code_cross + 0x1000, PTE_V | PTE_R | PTE_X | PTE_A
	PTE	l0, PG_A, page_a, RWAD
	PTE	l0, PG_WONLY, page_a, PTE_V | PTE_W | PTE_A | PTE_D
	PTE	l0, PG_NOLEAF, page_a, PTE_V
	PTE	l0, PG_RSV54, page_a, RWAD | (1 << 54)
	PTE	l0, PG_RSV63, page_a, RWAD | (1 << 63)
	PTE	l0, PG_RSV61, page_a, RWAD | (1 << 61)
	PTE	l0, PG_RONLY, page_a, PTE_V | PTE_R | PTE_A | PTE_D
	PTE	l0, PG_NOX, code_page, RWAD
	PTE	l0, PG_X, code_page, PTE_V | PTE_R | PTE_X | PTE_A
	PTE	l0, PG_XONLY, page_a, PTE_V | PTE_X | PTE_A
	PTE	l0, PG_ACLEAR, page_c, PTE_V | PTE_R | PTE_W
	PTE	l0, PG_DCLEAR, page_d, PTE_V | PTE_R | PTE_W | PTE_A
	PTE	l0, PG_ADCLEAR, page_e, PTE_V | PTE_R | PTE_W
	PTE	l0, PG_XACLEAR, code_page, PTE_V | PTE_R | PTE_X
	PTEPA	l0, PG_UART, UART_BASE, RWAD
	PTE	l0, PG_SFENCE, page_a, RWAD
	PTE	l0, PG_U, page_a, RWAD | PTE_U
	PTE	root48, 0, root39, PTE_V
	PTEPA	root48, 1, 0, RWAD
	PTEPA	root48, 256, 0, RWAD
	PTE	root48, 511, root39, PTE_V
	PTE	root57, 0, root48, PTE_V
	PTEPA	root57, 1, 0, RWAD
	PTEPA	root57, 256, 0, RWAD
	PTE	root57, 511, root48, PTE_V
	/* the values */
	li	t0, VAL_A
	la	t1, page_a
	sd	t0, 0(t1)
	li	t0, VAL_B
	la	t1, page_b
	sd	t0, 0(t1)
	li	t0, VAL_C
	la	t1, page_c
	sd	t0, 0(t1)
	li	t0, VAL_S
	li	t1, SUPER_PA + SUPER_OFF
	sd	t0, 0(t1)
	sfence.vma

	/* ---- satp (§4.1.11): Bare reads back 0; a supported MODE with ASID
	 * 0 reads back as written; an unsupported MODE (11, Sv64, reserved)
	 * makes the whole write have no effect. */
	csrw	satp, zero
	csrr	s2, satp
	CHECK	"satp-bare", s2, 0
	SATP	SATP_SV39, root39
	li	t0, SATP_SV64
	or	t0, t0, s1
	csrw	satp, t0
	csrr	s2, satp
	CHECKR	"satp-mode-11-ignored", s2, s1
	csrw	satp, zero
	sfence.vma

	/* ==== Sv39 (§4.4): VA bits 38:0, three levels */
	SATP	SATP_SV39, root39
	csrr	s2, satp
	CHECKR	"sv39-satp", s2, s1
	/* 4 KiB page; 2 MiB superpage (the offset passes through, §4.3.2
	 * step 8: pa.ppn[0] = va.vpn[0]); 1 GiB superpage at the top of the
	 * upper half (bits 63:39 = bit 38 = 1); a 4 KiB page in the upper
	 * half; the kernel's own identity gigapage */
	li	a0, PG(PG_A)
	li	a1, SUPER_VA + SUPER_OFF
	LA_AT	a2, page_b, HI_GIGA
	li	a3, HI_4K
	la	a4, page_c
	mv	a5, a0
	RUN	PRV_S, s_lds
	CHECKV	"sv39-reads-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECK	"sv39-4k", s2, VAL_A
	CHECK	"sv39-2m", s3, VAL_S
	CHECK	"sv39-1g-upper-half", s4, VAL_B
	CHECK	"sv39-4k-upper-half", s5, VAL_A
	CHECK	"sv39-1g-identity", s6, VAL_C
	/* non-canonical (§4.4.1: bits 63:39 must equal bit 38): bit 38 set
	 * alone; bits 63:39 set over bit 38 clear; a fetch; and the Sv48
	 * 512 GiB address, canonical under Sv48 only */
	S_LOAD_FAULT	"sv39-noncanonical-load", 0x0000004000000000
	S_STORE_FAULT	"sv39-noncanonical-store", 0xffffff8000000000
	S_FETCH_FAULT	"sv39-noncanonical-fetch", 0x0000004000000000
	S_LOAD_FAULT	"sv39-noncanonical-sv48-va", TERA_VA + RAM_BASE

	/* ==== Sv48 (§4.5): VA bits 47:0, four levels */
	SATP	SATP_SV48, root48
	csrr	s2, satp
	CHECKR	"sv48-satp", s2, s1
	li	a0, PG(PG_A)
	li	a1, SUPER_VA + SUPER_OFF
	LA_AT	a2, page_b, TERA_VA + RAM_BASE
	LA_AT	a3, page_b, HI_TERA + RAM_BASE
	li	a4, HI_4K
	LA_AT	a5, page_c, HI_GIGA
	RUN	PRV_S, s_lds
	CHECKV	"sv48-reads-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECK	"sv48-4k", s2, VAL_A
	CHECK	"sv48-2m", s3, VAL_S
	CHECK	"sv48-512g", s4, VAL_B
	CHECK	"sv48-512g-upper-half", s5, VAL_B
	CHECK	"sv48-4k-upper-half", s6, VAL_A
	CHECK	"sv48-1g-upper-half", s7, VAL_C
	S_LOAD_FAULT	"sv48-noncanonical-load", 0x0000800000000000
	S_STORE_FAULT	"sv48-noncanonical-store", 0xffff000000000000
	S_FETCH_FAULT	"sv48-noncanonical-fetch", 0x0000800000000000
	S_LOAD_FAULT	"sv48-noncanonical-sv57-va", PETA_VA + RAM_BASE

	/* ==== Sv57 (§4.6): VA bits 56:0, five levels */
	SATP	SATP_SV57, root57
	csrr	s2, satp
	CHECKR	"sv57-satp", s2, s1
	li	a0, PG(PG_A)
	li	a1, SUPER_VA + SUPER_OFF
	LA_AT	a2, page_b, TERA_VA + RAM_BASE
	LA_AT	a3, page_b, PETA_VA + RAM_BASE
	LA_AT	a4, page_b, HI_PETA + RAM_BASE
	li	a5, HI_4K
	RUN	PRV_S, s_lds
	CHECKV	"sv57-reads-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECK	"sv57-4k", s2, VAL_A
	CHECK	"sv57-2m", s3, VAL_S
	CHECK	"sv57-512g", s4, VAL_B
	CHECK	"sv57-256t", s5, VAL_B
	CHECK	"sv57-256t-upper-half", s6, VAL_B
	CHECK	"sv57-4k-upper-half", s7, VAL_A
	S_LOAD_FAULT	"sv57-noncanonical-load", 0x0100000000000000
	S_STORE_FAULT	"sv57-noncanonical-store", 0xfe00000000000000
	S_FETCH_FAULT	"sv57-noncanonical-fetch", 0x0100000000000000
	/* lib.S's check and output from S-mode, through Sv57: the UART at
	 * VA 0x10000000 (root57[0] -> root48[0] -> root39[0]), gp and sp
	 * through the identity gigapage */
	RUN	PRV_S, s_checks
	CHECKV	"sv57-s-mode-checks-mcause", V_MCAUSE, CAUSE_ECALL_S

	/* ==== the rest under Sv39 */
	SATP	SATP_SV39, root39

	/* ---- page faults of the walk (§4.3.2): cause 13 for a load, 15
	 * for a store, 12 for a fetch, mtval = the virtual address */
	S_LOAD_FAULT	"unmapped-load", PG(PG_UNMAPPED) + 0x18	/* step 3: V = 0 */
	S_STORE_FAULT	"unmapped-store", PG(PG_UNMAPPED) + 0x20
	S_FETCH_FAULT	"unmapped-fetch", PG(PG_UNMAPPED) + 0x40
	S_LOAD_FAULT	"w-without-r-load", PG(PG_WONLY)	/* step 3: R = 0, W = 1 */
	S_STORE_FAULT	"w-without-r-store", PG(PG_WONLY) + 8
	S_LOAD_FAULT	"no-leaf-at-level-0", PG(PG_NOLEAF)	/* step 4: i < 0 */
	/* step 6: a 2 MiB leaf with ppn[0] != 0 */
	S_LOAD_FAULT	"misaligned-superpage", MISALIGNED_VA + 0x10
	/* step 3: bits reserved for future standard use set (§4.4.1: bits
	 * 63:54; 63 is Svnapot's N, 62:61 Svpbmt's PBMT, neither implemented) */
	S_LOAD_FAULT	"reserved-bit-54", PG(PG_RSV54)
	S_LOAD_FAULT	"reserved-bit-61", PG(PG_RSV61)
	S_LOAD_FAULT	"reserved-bit-63", PG(PG_RSV63)
	/* the same in a pointer (§4.3.1: "For non-leaf PTEs, the D, A, and U
	 * bits are reserved for future standard use"; step 3 faults on
	 * them), reaching l0[0] */
	S_LOAD_FAULT	"pointer-reserved-a", PTR_A_VA
	S_LOAD_FAULT	"pointer-reserved-d", PTR_D_VA
	S_LOAD_FAULT	"pointer-reserved-u", PTR_U_VA
	S_LOAD_FAULT	"pointer-reserved-bit-54", PTR_RSV54_VA
	/* Left out: a PTE at a vacant physical address (a pointer to
	 * RAM_END) must give an access fault of the access's type (step 2:
	 * cause 5 for a load, mtval = the VA); qemu 7.2 gives a page fault
	 * (13). The board must still give the access fault. */
	/* an instruction across a page boundary: into a mapped page it runs;
	 * into an unmapped one it faults with mepc at the instruction and
	 * mtval at the second page (§3.1.16: "the portion of the
	 * instruction that caused the fault") */
	li	s1, PG(PG_CROSS2) + 0xffe
	mv	a0, s1
	li	s2, 0
	RUN	PRV_S, s_jump
	CHECKV	"fetch-across-pages-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECK	"fetch-across-pages-ran", s2, 1
	addi	s1, s1, 4
	CHECKVR	"fetch-across-pages-mepc", V_MEPC, s1
	li	s1, PG(PG_CROSS) + 0xffe
	li	s3, PG(PG_CROSS + 1)
	mv	a0, s1
	li	s2, 0
	RUN	PRV_S, s_jump
	CHECKV	"fetch-across-to-unmapped-mcause", V_MCAUSE, CAUSE_FETCH_PAGE
	CHECKVR	"fetch-across-to-unmapped-mepc", V_MEPC, s1
	CHECKVR	"fetch-across-to-unmapped-mtval", V_MTVAL, s3
	CHECK	"fetch-across-to-unmapped-not-run", s2, 0
	/* delegated (medeleg[13], §3.1.8): the S handler gets scause 13,
	 * stval = the address; it steps over the load, and the ecall after
	 * it reaches M */
	li	t0, 1 << CAUSE_LOAD_PAGE
	csrw	medeleg, t0
	li	s1, PG(PG_UNMAPPED) + 8
	mv	a0, s1
	RUN	PRV_S, s_ld
	csrw	medeleg, zero
	CHECKV	"deleg-page-fault-scause", V_SCAUSE, CAUSE_LOAD_PAGE
	CHECKVA	"deleg-page-fault-sepc", V_SEPC, s_ld
	CHECKVR	"deleg-page-fault-stval", V_STVAL, s1
	CHECKV	"deleg-page-fault-then-ecall", V_MCAUSE, CAUSE_ECALL_S

	/* ---- permissions (§4.3.1, §4.3.2 step 5) */
	/* a read-only page: loads work, a store faults and writes nothing */
	li	a0, PG(PG_RONLY)
	RUN	PRV_S, s_ld
	CHECKV	"read-only-load-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECK	"read-only-load", s2, VAL_A
	S_STORE_FAULT	"read-only-store", PG(PG_RONLY) + 0x30
	la	t0, page_a
	ld	s2, 0x30(t0)
	CHECK	"read-only-store-wrote-nothing", s2, 0
	/* fetch: through an X page it runs (code_page: li s2, 0x5a; ecall);
	 * from a page without X it faults */
	li	s1, PG(PG_X)
	mv	a0, s1
	RUN	PRV_S, s_jump
	CHECKV	"fetch-x-page-mcause", V_MCAUSE, CAUSE_ECALL_S
	addi	s1, s1, 4
	CHECKVR	"fetch-x-page-mepc", V_MEPC, s1
	CHECK	"fetch-x-page-ran", s2, VAL_CODE
	S_FETCH_FAULT	"fetch-no-x-page", PG(PG_NOX)
	/* MXR (§3.1.6.3): without it, a load from an execute-only page
	 * faults; with it, the load reads */
	S_LOAD_FAULT	"x-only-load", PG(PG_XONLY)
	li	t0, MSTATUS_MXR
	csrs	mstatus, t0
	li	a0, PG(PG_XONLY)
	RUN	PRV_S, s_ld
	li	t0, MSTATUS_MXR
	csrc	mstatus, t0
	CHECKV	"x-only-load-mxr-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECK	"x-only-load-mxr", s2, VAL_A
	/* U pages (§4.3.1): U-mode reads a U page (running from the U alias
	 * of the code) ... */
	li	a0, PG(PG_U)
	RUN_AT	PRV_U, s_ld, U_ALIAS
	CHECKV	"u-load-u-page-mcause", V_MCAUSE, CAUSE_ECALL_U
	CHECK	"u-load-u-page", s2, VAL_A
	LA_AT	s1, s_ld_end, U_ALIAS
	CHECKVR	"u-load-u-page-mepc", V_MEPC, s1
	/* ... but cannot touch a page without U, nor run from one */
	li	s3, PG(PG_A)
	mv	a0, s3
	RUN_AT	PRV_U, s_ld, U_ALIAS
	LA_AT	s1, s_ld, U_ALIAS
	CHECKV	"u-load-s-page-mcause", V_MCAUSE, CAUSE_LOAD_PAGE
	CHECKVR	"u-load-s-page-mepc", V_MEPC, s1
	CHECKVR	"u-load-s-page-mtval", V_MTVAL, s3
	mv	a0, s3
	li	a1, VAL_STORE
	RUN_AT	PRV_U, s_sd, U_ALIAS
	LA_AT	s1, s_sd, U_ALIAS
	CHECKV	"u-store-s-page-mcause", V_MCAUSE, CAUSE_STORE_PAGE
	CHECKVR	"u-store-s-page-mepc", V_MEPC, s1
	CHECKVR	"u-store-s-page-mtval", V_MTVAL, s3
	la	s1, s_ld
	RUN	PRV_U, s_ld
	FETCHFAULT "u-fetch-s-page", s1
	/* S-mode: never runs code from a U page, SUM or not; reads a U page
	 * only with SUM (§3.1.6.3, §4.3.1) */
	LA_AT	s1, s_ld, U_ALIAS
	RUN_AT	PRV_S, s_ld, U_ALIAS
	FETCHFAULT "s-fetch-u-page", s1
	S_LOAD_FAULT	"s-load-u-page-no-sum", PG(PG_U)
	li	t0, MSTATUS_SUM
	csrs	mstatus, t0
	li	a0, PG(PG_U)
	RUN	PRV_S, s_ld
	CHECKV	"s-load-u-page-sum-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECK	"s-load-u-page-sum", s2, VAL_A
	LA_AT	s1, s_ld, U_ALIAS
	RUN_AT	PRV_S, s_ld, U_ALIAS
	FETCHFAULT "s-fetch-u-page-sum", s1
	li	t0, MSTATUS_SUM
	csrc	mstatus, t0

	/* ---- accessed and dirty bits (§4.3.1, §4.3.2 step 7): whichever
	 * scheme, after the access the PTE has A (and D after a store) and
	 * the access took place; a load leaves D clear. */
	FIX_PTE	PG_ACLEAR
	li	s1, PG(PG_ACLEAR)
	mv	a0, s1
	RUN	PRV_S, s_ld
	FIX_PTE_OFF
	CHECKV	"a-load-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECK	"a-load-value", s2, VAL_C
	la	t0, l0 + PG_ACLEAR * 8
	ld	s2, 0(t0)
	CHECKM	"a-load-pte-a-not-d", s2, PTE_A | PTE_D, PTE_A
	FIXED	"a-load", CAUSE_LOAD_PAGE, s1

	FIX_PTE	PG_DCLEAR
	li	s1, PG(PG_DCLEAR) + 0x10
	mv	a0, s1
	li	a1, VAL_STORE
	RUN	PRV_S, s_sd
	FIX_PTE_OFF
	CHECKV	"d-store-mcause", V_MCAUSE, CAUSE_ECALL_S
	la	t0, page_d
	ld	s2, 0x10(t0)
	CHECK	"d-store-value", s2, VAL_STORE
	la	t0, l0 + PG_DCLEAR * 8
	ld	s2, 0(t0)
	CHECKM	"d-store-pte-a-d", s2, PTE_A | PTE_D, PTE_A | PTE_D
	FIXED	"d-store", CAUSE_STORE_PAGE, s1

	FIX_PTE	PG_ADCLEAR
	li	s1, PG(PG_ADCLEAR) + 0x18
	mv	a0, s1
	li	a1, VAL_STORE
	RUN	PRV_S, s_sd
	FIX_PTE_OFF
	CHECKV	"ad-store-mcause", V_MCAUSE, CAUSE_ECALL_S
	la	t0, page_e
	ld	s2, 0x18(t0)
	CHECK	"ad-store-value", s2, VAL_STORE
	la	t0, l0 + PG_ADCLEAR * 8
	ld	s2, 0(t0)
	CHECKM	"ad-store-pte-a-d", s2, PTE_A | PTE_D, PTE_A | PTE_D
	FIXED	"ad-store", CAUSE_STORE_PAGE, s1

	FIX_PTE	PG_XACLEAR
	li	s1, PG(PG_XACLEAR)
	mv	a0, s1
	RUN	PRV_S, s_jump
	FIX_PTE_OFF
	CHECKV	"a-fetch-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECK	"a-fetch-ran", s2, VAL_CODE
	la	t0, l0 + PG_XACLEAR * 8
	ld	s2, 0(t0)
	CHECKM	"a-fetch-pte-a-not-d", s2, PTE_A | PTE_D, PTE_A
	FIXED	"a-fetch", CAUSE_FETCH_PAGE, s1

	/* ---- sfence.vma (§4.2.1): S-mode points a VA at another page,
	 * fences (all addresses), reads the new page; points it back, fences
	 * that one address (rs1 = the VA, rs2 = x0), reads the old page */
	li	a0, PG(PG_SFENCE)
	la	a1, l0 + PG_SFENCE * 8
	ld	a3, 0(a1)
	la	a2, page_b
	srli	a2, a2, 12
	slli	a2, a2, 10
	ori	a2, a2, RWAD
	RUN	PRV_S, s_sfence
	CHECKV	"sfence-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECK	"sfence-before", s2, VAL_A
	CHECK	"sfence-all-new-page", s3, VAL_B
	CHECK	"sfence-va-old-page", s4, VAL_A

	/* ---- a device through a translated address: S-mode prints a line
	 * through the UART at PG(PG_UART) -> PA 0x10000000 (counted as one
	 * ok; missing or garbled, the outputs differ), and reads LSR there */
	li	a0, PG(PG_UART)
	la	a1, s_uart_line
	li	s2, 0
	RUN	PRV_S, s_uart
	CHECKV	"uart-through-4k-page-mcause", V_MCAUSE, CAUSE_ECALL_S
	CHECK	"uart-through-4k-page-lsr-thre-seen", s2, 1

	/* ---- M-mode is not translated (§4.1.11: satp is active only in S
	 * and U; MPRV = 0, §3.1.6.3). Under Sv39 with the test tables, M's
	 * load from TVA goes to physical TVA, where nothing is: an access
	 * fault (cause 5; a store, 7), not the test page. */
	RESET_TRAPS
	li	s1, PG(PG_A)
	li	s2, 0x1111
m_ld_tva:
	ld	s2, 0(s1)
	CHECKV	"m-load-untranslated-mcause", V_MCAUSE, CAUSE_LOAD_ACCESS
	CHECKVA	"m-load-untranslated-mepc", V_MEPC, m_ld_tva
	CHECKVR	"m-load-untranslated-mtval", V_MTVAL, s1
	CHECK	"m-load-untranslated-rd-unchanged", s2, 0x1111
	RESET_TRAPS
m_sd_tva:
	sd	s2, 0(s1)
	CHECKV	"m-store-untranslated-mcause", V_MCAUSE, CAUSE_STORE_ACCESS
	CHECKVA	"m-store-untranslated-mepc", V_MEPC, m_sd_tva
	/* with an empty root table M runs, loads and prints as ever, while
	 * S-mode cannot even fetch */
	SATP	SATP_SV39, root_empty
	RESET_TRAPS
	la	t0, page_a
	ld	s2, 0(t0)
	CHECK	"m-sv39-empty-root-load", s2, VAL_A
	CHECKV	"m-sv39-empty-root-no-trap", V_MCOUNT, 0
	la	s1, s_ld
	RUN	PRV_S, s_ld
	FETCHFAULT "s-sv39-empty-root-fetch", s1
	SATP	SATP_SV57, root_empty
	RESET_TRAPS
	la	t0, page_b
	ld	s2, 0(t0)
	CHECK	"m-sv57-empty-root-load", s2, VAL_B
	CHECKV	"m-sv57-empty-root-no-trap", V_MCOUNT, 0

	csrw	satp, zero
	sfence.vma
	la	t0, m_trap
	csrw	mtvec, t0
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	ld	s3, 32(sp)
	ld	s4, 40(sp)
	ld	s5, 48(sp)
	ld	s6, 56(sp)
	ld	s7, 64(sp)
	ld	s8, 72(sp)
	ld	s9, 80(sp)
	ld	s10, 88(sp)
	ld	s11, 96(sp)
	addi	sp, sp, 112
	ret

/* pg_mtrap: this kernel's M handler (mtvec). An instruction, load or
 * store page fault (cause 12, 13, 15) while pg_vars.PG_FIX_PTE names a
 * PTE lacking A (or, for a store, A or D) is resolved as a kernel with
 * the fault scheme of §4.3.1 does: set the bit(s), sfence.vma, return to
 * the faulting instruction. Everything else goes to lib.S's m_trap, with
 * every register as it was. */
	.balign	4
pg_mtrap:
	csrw	mscratch, t0
	la	t0, pg_vars
	sd	t1, PG_SAVE+0(t0)
	sd	t2, PG_SAVE+8(t0)
	sd	t3, PG_SAVE+16(t0)
	csrr	t1, mcause
	li	t3, PTE_A
	li	t2, CAUSE_FETCH_PAGE
	beq	t1, t2, 1f
	li	t2, CAUSE_LOAD_PAGE
	beq	t1, t2, 1f
	li	t3, PTE_A | PTE_D
	li	t2, CAUSE_STORE_PAGE
	bne	t1, t2, 8f
1:	ld	t1, PG_FIX_PTE(t0)
	beqz	t1, 8f
	ld	t2, 0(t1)
	or	t3, t3, t2
	beq	t3, t2, 8f		/* nothing missing: a real fault */
	sd	t3, 0(t1)
	sfence.vma
	ld	t1, PG_FIXES(t0)
	addi	t1, t1, 1
	sd	t1, PG_FIXES(t0)
	csrr	t1, mcause
	sd	t1, PG_FIX_CAUSE(t0)
	csrr	t1, mtval
	sd	t1, PG_FIX_TVAL(t0)
	ld	t1, PG_SAVE+0(t0)
	ld	t2, PG_SAVE+8(t0)
	ld	t3, PG_SAVE+16(t0)
	csrr	t0, mscratch
	mret
8:	ld	t1, PG_SAVE+0(t0)
	ld	t2, PG_SAVE+8(t0)
	ld	t3, PG_SAVE+16(t0)
	csrr	t0, mscratch
	j	m_trap

/* ---- the S- and U-mode snippets: each ends in its one trap to M */
	.option	push
	.option	norvc
s_ld:					/* a0: address -> s2 */
	ld	s2, 0(a0)
s_ld_end:
	ecall
s_sd:					/* a1 -> (a0) */
	sd	a1, 0(a0)
	ecall
s_jump:					/* run at a0 */
	jr	a0
s_lds:					/* a0..a5 -> s2..s7 */
	ld	s2, 0(a0)
	ld	s3, 0(a1)
	ld	s4, 0(a2)
	ld	s5, 0(a3)
	ld	s6, 0(a4)
	ld	s7, 0(a5)
	ecall
s_sfence:		/* a0: VA, a1: its PTE, a2: new PTE, a3: old PTE */
	ld	s2, 0(a0)
	sd	a2, 0(a1)
	sfence.vma
	ld	s3, 0(a0)
	sd	a3, 0(a1)
	sfence.vma a0, zero
	ld	s4, 0(a0)
	ecall
s_uart:			/* a0: the UART's VA, a1: the line; s2 = 1 if THRE was seen */
1:	lbu	t1, 0(a1)
	beqz	t1, 3f
2:	lbu	t2, UART_LSR(a0)
	andi	t2, t2, UART_LSR_THRE
	beqz	t2, 2b
	li	s2, 1
	sb	t1, UART_THR(a0)
	addi	a1, a1, 1
	j	1b
3:	ld	t1, V_OK(gp)
	addi	t1, t1, 1
	sd	t1, V_OK(gp)
	ecall
	.option	pop

/* lib.S's checks, run in S-mode under Sv57 */
s_checks:
	li	t3, PG(PG_A)
	ld	s2, 0(t3)
	CHECK	"sv57-s-mode-check-4k", s2, VAL_A
	LA_AT	t3, page_c, HI_GIGA
	ld	s2, 0(t3)
	CHECK	"sv57-s-mode-check-1g-upper-half", s2, VAL_C
	ecall

/* code_page: a page of its own, run at PG(PG_X), PG(PG_XACLEAR) */
	.balign	4096
code_page:
	.option	push
	.option	norvc
	li	s2, VAL_CODE
	ecall
	.option	pop
	.balign	4096
/* code_cross: a 4-byte instruction across the end of its page */
code_cross:
	.skip	0xffe
	.option	push
	.option	norvc
	li	s2, 1
	ecall
	.option	pop
	.balign	4096

	.section .rodata
s_uart_line:	.asciz	"ok uart-through-4k-page\n"

	.bss
	.balign	4096
root39:	.space	4096
l1:	.space	4096
l0:	.space	4096
root48:	.space	4096
root57:	.space	4096
root_empty: .space 4096
page_a:	.space	4096
page_b:	.space	4096
page_c:	.space	4096
page_d:	.space	4096
page_e:	.space	4096
	.balign	8
pg_vars: .space	64
