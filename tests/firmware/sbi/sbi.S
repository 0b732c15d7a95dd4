/* sbi.S — an S-mode test kernel for OpenSBI's SBI, on 2 harts.
 *
 * OpenSBI's fw_jump starts it at 0x80200000 (sbi.ld) in S mode on the boot
 * hart only, with a0 = hart id, a1 = device tree; the other hart waits in
 * OpenSBI, STOPPED, until a supervisor starts it (HSM). The boot hart is
 * OpenSBI's choice (a lottery), so nothing printed depends on a hart id:
 * hart ids are only compared.
 *
 * Runtime of its own: output through the SBI legacy console_putchar (EID
 * 0x01; OpenSBI 1.1 has no DBCN), the `ok NAME` / `FAIL NAME: got 0x..
 * want 0x..` / `# N ok, M failed` lines of tests/board, then SRST
 * system_reset(shutdown, no reason). The first line it prints is the
 * marker "sbi-test: start": what comes before it is OpenSBI's banner,
 * which names the boot hart and so differs between runs.
 *
 * Expected values are worked out from the RISC-V Supervisor Binary
 * Interface Specification v1.0.0 ("SBI §x" below): ch. 3 binary encoding
 * (the sbiret pair in a0/a1, the error codes, hart masks, unknown EID/FID
 * -> SBI_ERR_NOT_SUPPORTED), ch. 4 base, ch. 5 legacy, ch. 6 TIME, ch. 7
 * IPI, ch. 8 RFENCE, ch. 9 HSM, ch. 10 SRST; and the privileged spec
 * 20211203 ("priv §x") for the S-mode CSRs.
 *
 * The boot hart prints everything; the other hart ("secondary") only
 * records what it saw in memory. Every wait of the boot hart is bounded
 * (TIMEOUT of the time CSR, 10 MHz): a wait that gives up shows as a failed
 * check. The secondary's loops are not bounded: the shutdown ends them.
 * Memory model RVWMO: a writer stores its data, fence rw, w, then the
 * count or flag; the reader loads the flag, then fence r, rw.
 */

/* ---- SBI (SBI §3: a7 = EID, a6 = FID, a0..a5 arguments; a0 = error,
 * a1 = value; every other register is preserved) */
#define EID_LEGACY_PUTCHAR	0x01
#define EID_BASE		0x10
#define EID_TIME		0x54494D45
#define EID_IPI			0x735049
#define EID_RFENCE		0x52464E43
#define EID_HSM			0x48534D
#define EID_SRST		0x53525354
#define EID_UNKNOWN		0x12345678	/* no standard, experimental (0x08xxxxxx), vendor (0x09xxxxxx) or firmware (0x0Axxxxxx) EID */

#define SBI_SUCCESS		0		/* SBI §3, table 1 */
#define SBI_ERR_NOT_SUPPORTED	-2
#define SBI_ERR_INVALID_PARAM	-3
#define SBI_ERR_ALREADY_AVAILABLE -6

#define HSM_STARTED		0		/* SBI §9, HSM hart states */
#define HSM_STOPPED		1

#define MAX_HARTS		8		/* hart ids looked at: 0..7 */
#define OPAQUE1			0x0123456789abcdef
#define OPAQUE2			0xfedcba9876543210
#define TIMEOUT			30000000	/* 3 s of the time CSR (10 MHz) */
#define TIMER_DELTA		100000		/* 10 ms */

#define SSTATUS_SIE		(1 << 1)	/* priv §4.1.1 */
#define SIP_SSIP		(1 << 1)	/* priv §4.1.3 */
#define SIP_STIP		(1 << 5)
#define CAUSE_SSI		0x8000000000000001	/* priv §4.1.9, table 4.2 */
#define CAUSE_STI		0x8000000000000005

#define PHASE_STOP		1		/* the secondary calls hart_stop */

/* ---- the variables gp points at (both harts) */
#define V_OK		0	/* checks passed, failed */
#define V_FAILED	8
#define V_BOOT		16	/* the boot hart's id */
#define V_OTHER		24	/* the secondary's id */
#define V_SAVE		32	/* boot hart's trap handler: t0, t1 */
#define V_SCOUNT	48	/* traps the boot hart took */
#define V_SCAUSE	56	/* scause of its last trap */
#define V_TTIME		64	/* time when the timer interrupt came */
#define V_PHASE		72	/* written by the boot hart */
#define S_ENTRIES	80	/* times the secondary came in at sec_entry */
#define S_A0		88	/* a0, a1, satp, sstatus at its last entry */
#define S_A1		96
#define S_SATP		104
#define S_SSTATUS	112
#define S_IPI_COUNT	120	/* supervisor software interrupts taken */
#define S_IPI_CAUSE	128	/* scause then */
#define S_IPI_SIP	136	/* sip after the handler cleared SSIP */
#define S_OTHER		144	/* other traps taken */
#define S_OTHER_CAUSE	152
#define S_SAVE		160	/* its trap handler: t0, t1 */
#define S_STOP_RET	176	/* 1 if hart_stop returned */
#define S_STOP_ERR	184	/* and its error */
#define V_SIZE		192

/* SBI eid, fid: the call (arguments in a0..a5 already) */
.macro SBI eid, fid
	li	a7, \eid
	li	a6, \fid
	ecall
.endm

/* CHECK name, reg, want: "ok name" if reg == want (a constant), else the
 * FAIL line (a0-a2, t0-t6 and ra are clobbered). */
.macro CHECK name, reg, want
	mv	a1, \reg
	li	a2, \want
	la	a0, .Lname\@
	call	check
	.pushsection .rodata
.Lname\@: .asciz "\name"
	.popsection
.endm

/* CHECKV name, var, want: CHECK of a variable. */
.macro CHECKV name, var, want
	ld	a1, \var(gp)
	li	a2, \want
	la	a0, .Lname\@
	call	check
	.pushsection .rodata
.Lname\@: .asciz "\name"
	.popsection
.endm

	.section .text.start, "ax"
	.globl	_start
_start:
	/* S mode, boot hart: a0 = hart id, a1 = device tree (SBI §9 and
	 * OpenSBI's fw_jump) */
	mv	s0, a0
	la	gp, vars
	la	sp, __stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	sd	s0, V_BOOT(gp)
	la	t0, trap_boot
	csrw	stvec, t0
	li	t0, SIP_SSIP | SIP_STIP
	csrc	sie, t0
	la	a0, s_marker
	call	puts

	/* ---- base extension (SBI §4) */
	SBI	EID_BASE, 0			/* get_spec_version, §4.1 */
	mv	s1, a1
	CHECK	base.spec_version.error, a0, SBI_SUCCESS
	/* minor in bits 23:0, major in 30:24, bit 31 zero: >= 0.2 */
	srli	t0, s1, 31
	sltiu	t1, s1, 2
	or	t0, t0, t1
	seqz	t0, t0
	CHECK	base.spec_version.at_least_0.2, t0, 1
	/* OpenSBI 1.1 implements SBI v1.0: major 1, minor 0 */
	CHECK	base.spec_version, s1, 0x01000000
	SBI	EID_BASE, 1			/* get_impl_id, §4.2 */
	CHECK	base.impl_id, a1, 1		/* OpenSBI, §4.9 */

	/* probe_extension (§4.4): 0 if not available, else non-zero (1
	 * unless the implementation says otherwise); got = the error if
	 * any, else value != 0 */
.macro PROBE name, eid
	li	a0, \eid
	SBI	EID_BASE, 3
	snez	a1, a1
	beqz	a0, 1f
	mv	a1, a0
1:	CHECK	\name, a1, 1
.endm
	PROBE	base.probe.legacy_putchar, EID_LEGACY_PUTCHAR
	PROBE	base.probe.base, EID_BASE
	PROBE	base.probe.time, EID_TIME
	PROBE	base.probe.ipi, EID_IPI
	PROBE	base.probe.rfence, EID_RFENCE
	PROBE	base.probe.hsm, EID_HSM
	PROBE	base.probe.srst, EID_SRST
	li	a0, EID_UNKNOWN
	SBI	EID_BASE, 3
	or	a1, a1, a0			/* error 0, value 0 */
	CHECK	base.probe.unknown, a1, 0
	/* an unknown EID, an unknown FID: SBI_ERR_NOT_SUPPORTED (§3) */
	SBI	EID_UNKNOWN, 0
	CHECK	unknown_eid, a0, SBI_ERR_NOT_SUPPORTED
	SBI	EID_BASE, 0x7fff
	CHECK	base.unknown_fid, a0, SBI_ERR_NOT_SUPPORTED

	/* ---- HSM (SBI §9): this hart is STARTED; of the ids 0..7 one other
	 * is a hart, STOPPED (OpenSBI started only the boot hart), the rest
	 * are no hart: SBI_ERR_INVALID_PARAM (§9.3) */
	ld	a0, V_BOOT(gp)
	SBI	EID_HSM, 2			/* hart_get_status, §9.3 */
	beqz	a0, 1f
	mv	a1, a0
1:	CHECK	hsm.status.self, a1, HSM_STARTED
	li	s1, 0				/* hart id */
	li	s2, 0				/* other harts found */
	li	s3, 0				/* ids giving INVALID_PARAM */
	li	s4, -1				/* the first other hart's status */
	li	t0, -1
	sd	t0, V_OTHER(gp)
3:	ld	t0, V_BOOT(gp)
	beq	s1, t0, 5f
	mv	a0, s1
	SBI	EID_HSM, 2
	bnez	a0, 4f
	addi	s2, s2, 1
	ld	t0, V_OTHER(gp)
	bgez	t0, 5f
	sd	s1, V_OTHER(gp)
	mv	s4, a1
	j	5f
4:	li	t0, SBI_ERR_INVALID_PARAM
	bne	a0, t0, 5f
	addi	s3, s3, 1
5:	addi	s1, s1, 1
	li	t0, MAX_HARTS
	blt	s1, t0, 3b
	CHECK	hsm.other_harts, s2, 1
	CHECK	hsm.status.other, s4, HSM_STOPPED
	CHECK	hsm.status.no_hart, s3, MAX_HARTS - 2
	ld	s5, V_OTHER(gp)			/* s5: the secondary's id */
	bltz	s5, finish			/* none: nothing more to do */

	/* hart_start(hartid, start_addr, opaque) (§9.1): SBI_SUCCESS; the
	 * hart comes to start_addr in S mode with a0 = hartid, a1 = opaque,
	 * satp = 0 and sstatus.SIE = 0, and is STARTED */
	mv	a0, s5
	la	a1, sec_entry
	li	a2, OPAQUE1
	SBI	EID_HSM, 0
	CHECK	hsm.start, a0, SBI_SUCCESS
	addi	a0, gp, S_ENTRIES
	li	a1, 1
	call	wait_ge
	CHECK	hsm.start.entered, a0, 1
	ld	t0, S_A0(gp)
	xor	t0, t0, s5			/* its own id: 0 */
	CHECK	hsm.start.a0_is_hartid, t0, 0
	CHECKV	hsm.start.a1_is_opaque, S_A1, OPAQUE1
	CHECKV	hsm.start.satp, S_SATP, 0
	ld	t0, S_SSTATUS(gp)
	andi	t0, t0, SSTATUS_SIE
	CHECK	hsm.start.sstatus.SIE, t0, 0
	mv	a0, s5
	li	a1, HSM_STARTED
	call	wait_status
	CHECK	hsm.status.started, a0, HSM_STARTED
	/* a started hart: SBI_ERR_ALREADY_AVAILABLE (§9.1) */
	mv	a0, s5
	la	a1, sec_entry
	li	a2, OPAQUE2
	SBI	EID_HSM, 0
	CHECK	hsm.start.again, a0, SBI_ERR_ALREADY_AVAILABLE

	/* ---- IPI (SBI §7.1): send_ipi(hart_mask, hart_mask_base) gives the
	 * harts a supervisor software interrupt. The secondary waits in wfi
	 * with sie.SSIE and sstatus.SIE, takes scause = 1 | 1 << 63, clears
	 * sip.SSIP (priv §4.1.3) and counts it. */
	li	a0, 1
	mv	a1, s5
	SBI	EID_IPI, 0
	CHECK	ipi.send, a0, SBI_SUCCESS
	addi	a0, gp, S_IPI_COUNT
	li	a1, 1
	call	wait_ge
	CHECK	ipi.taken, a0, 1
	CHECKV	ipi.scause, S_IPI_CAUSE, CAUSE_SSI
	ld	t0, S_IPI_SIP(gp)
	andi	t0, t0, SIP_SSIP
	CHECK	ipi.sip.SSIP_cleared, t0, 0
	/* hart_mask_base = -1: every hart (§3), this one too; here with
	 * sie.SSIE = 0 it is only pending in sip */
	li	a0, 0
	li	a1, -1
	SBI	EID_IPI, 0
	CHECK	ipi.send_all, a0, SBI_SUCCESS
	addi	a0, gp, S_IPI_COUNT
	li	a1, 2
	call	wait_ge
	CHECK	ipi.send_all.other, a0, 2
	rdtime	t2
	li	t0, TIMEOUT
	add	t2, t2, t0
1:	csrr	s1, sip
	andi	s1, s1, SIP_SSIP
	bnez	s1, 2f
	rdtime	t0
	bltu	t0, t2, 1b
2:	CHECK	ipi.send_all.self_sip.SSIP, s1, SIP_SSIP
	li	t0, SIP_SSIP
	csrc	sip, t0
	csrr	t0, sip
	andi	t0, t0, SIP_SSIP
	CHECK	ipi.self_sip.SSIP_cleared, t0, 0
	CHECKV	ipi.self_traps, V_SCOUNT, 0
	/* a hart_mask_base past every hart: SBI_ERR_INVALID_PARAM (§7.1) */
	li	a0, 1
	li	a1, MAX_HARTS
	SBI	EID_IPI, 0
	CHECK	ipi.no_hart, a0, SBI_ERR_INVALID_PARAM

	/* ---- TIME (SBI §6.1): set_timer(stime_value), absolute; the
	 * supervisor timer interrupt comes once time >= stime_value, stays
	 * pending (sip.STIP) until the next set_timer, which clears it;
	 * (uint64_t)-1 is "never". The handler masks sie.STIE. */
	li	t0, SIP_STIP
	csrs	sie, t0
	csrsi	sstatus, SSTATUS_SIE
	rdtime	s1
	li	t0, TIMER_DELTA
	add	s1, s1, t0			/* s1: the deadline */
	mv	a0, s1
	SBI	EID_TIME, 0
	CHECK	time.set_timer, a0, SBI_SUCCESS
	li	t0, TIMEOUT
	add	t2, s1, t0
1:	ld	t0, V_SCOUNT(gp)
	bnez	t0, 2f
	rdtime	t0
	bltu	t0, t2, 1b
2:	csrci	sstatus, SSTATUS_SIE
	CHECKV	time.interrupt, V_SCOUNT, 1
	CHECKV	time.scause, V_SCAUSE, CAUSE_STI
	ld	t0, V_TTIME(gp)
	sltu	t0, t0, s1
	CHECK	time.not_before_deadline, t0, 0
	csrr	t0, sip
	andi	t0, t0, SIP_STIP
	CHECK	time.sip.STIP_pending, t0, SIP_STIP
	li	a0, -1
	SBI	EID_TIME, 0
	CHECK	time.set_timer_never, a0, SBI_SUCCESS
	csrr	t0, sip
	andi	t0, t0, SIP_STIP
	CHECK	time.sip.STIP_cleared, t0, 0

	/* ---- RFENCE (SBI §8): remote fence.i to every hart (§8.1), to the
	 * secondary, and a full remote sfence.vma (start = size = 0, §8.2) */
	li	a0, 0
	li	a1, -1
	SBI	EID_RFENCE, 0
	CHECK	rfence.fence_i.all, a0, SBI_SUCCESS
	li	a0, 1
	mv	a1, s5
	SBI	EID_RFENCE, 0
	CHECK	rfence.fence_i.other, a0, SBI_SUCCESS
	li	a0, 0
	li	a1, -1
	li	a2, 0
	li	a3, 0
	SBI	EID_RFENCE, 1
	CHECK	rfence.sfence_vma.all, a0, SBI_SUCCESS

	/* ---- HSM hart_stop (§9.2): the secondary stops itself (woken from
	 * wfi by an IPI, it finds the phase) and does not return; it is
	 * STOPPED again (§9.3) and can be started again (§9.1). */
	li	t0, PHASE_STOP
	fence	rw, w
	sd	t0, V_PHASE(gp)
	fence	rw, rw
	li	a0, 1
	mv	a1, s5
	SBI	EID_IPI, 0
	CHECK	hsm.stop.wake, a0, SBI_SUCCESS
	mv	a0, s5
	li	a1, HSM_STOPPED
	call	wait_status
	CHECK	hsm.stop.stopped, a0, HSM_STOPPED
	CHECKV	hsm.stop.no_return, S_STOP_RET, 0
	CHECKV	ipi.count, S_IPI_COUNT, 3
	CHECKV	secondary.other_traps, S_OTHER, 0
	mv	a0, s5
	la	a1, sec_entry
	li	a2, OPAQUE2
	SBI	EID_HSM, 0
	CHECK	hsm.restart, a0, SBI_SUCCESS
	addi	a0, gp, S_ENTRIES
	li	a1, 2
	call	wait_ge
	CHECK	hsm.restart.entered, a0, 2
	ld	t0, S_A0(gp)
	xor	t0, t0, s5
	CHECK	hsm.restart.a0_is_hartid, t0, 0
	CHECKV	hsm.restart.a1_is_opaque, S_A1, OPAQUE2
	mv	a0, s5
	li	a1, HSM_STOPPED
	call	wait_status
	CHECK	hsm.restart.stopped, a0, HSM_STOPPED
	CHECKV	hsm.restart.no_return, S_STOP_RET, 0

	/* ---- SRST (SBI §10.1): a reserved reset_type or reset_reason is
	 * SBI_ERR_INVALID_PARAM; shutdown (type 0, reason 0) ends the run */
	li	a0, 3
	li	a1, 0
	SBI	EID_SRST, 0
	CHECK	srst.reserved_type, a0, SBI_ERR_INVALID_PARAM
	li	a0, 0
	li	a1, 2
	SBI	EID_SRST, 0
	CHECK	srst.reserved_reason, a0, SBI_ERR_INVALID_PARAM

finish:
	la	a0, s_hash
	call	puts
	ld	a0, V_OK(gp)
	call	putdec
	la	a0, s_okc
	call	puts
	ld	a0, V_FAILED(gp)
	call	putdec
	la	a0, s_failed
	call	puts
	li	a0, 0				/* shutdown */
	li	a1, 0				/* no reason */
	SBI	EID_SRST, 0
	/* still here: say so, then power off through the test device
	 * (status 1) */
	mv	s1, a0
	la	a0, s_srst
	call	puts
	mv	a0, s1
	call	puthex
	li	a0, '\n'
	call	putc
	li	t0, 0x00100000
	li	t1, 0x3333 | (1 << 16)
	sw	t1, 0(t0)
1:	wfi
	j	1b

/* wait_ge(a0 = address, a1 = min): waits (bounded) until the doubleword
 * at a0 is >= a1 (signed); a0 = its value then. */
wait_ge:
	rdtime	t2
	li	t0, TIMEOUT
	add	t2, t2, t0
1:	ld	t0, 0(a0)
	bge	t0, a1, 2f
	rdtime	t1
	bltu	t1, t2, 1b
2:	fence	r, rw
	mv	a0, t0
	ret

/* wait_status(a0 = hart id, a1 = status): calls hart_get_status (bounded)
 * until it gives that status; a0 = the last status, or the error. */
wait_status:
	mv	t4, a0
	mv	t5, a1
	rdtime	t2
	li	t0, TIMEOUT
	add	t2, t2, t0
1:	mv	a0, t4
	SBI	EID_HSM, 2
	bnez	a0, 2f
	mv	a0, a1
	beq	a0, t5, 2f
	rdtime	t1
	bltu	t1, t2, 1b
2:	fence	r, rw
	ret

/* ---- the secondary hart: S mode, a0 = hart id, a1 = opaque (§9.1) */
	.align	2
sec_entry:
	la	gp, vars
	sd	a0, S_A0(gp)
	sd	a1, S_A1(gp)
	csrr	t0, satp
	sd	t0, S_SATP(gp)
	csrr	t0, sstatus
	sd	t0, S_SSTATUS(gp)
	la	t0, trap_sec
	csrw	stvec, t0
	fence	rw, w
	ld	t0, S_ENTRIES(gp)
	addi	t0, t0, 1
	sd	t0, S_ENTRIES(gp)
	li	t0, SIP_SSIP
	csrs	sie, t0
	/* wait for IPIs: the phase is read with sstatus.SIE = 0 and wfi
	 * wakes for an interrupt pending and enabled in sie whatever
	 * sstatus.SIE (priv §3.3.3), so an IPI after the read is not lost;
	 * it is taken once SIE is set again */
1:	csrci	sstatus, SSTATUS_SIE
	ld	t0, V_PHASE(gp)
	fence	r, rw
	li	t1, PHASE_STOP
	beq	t0, t1, 2f
	wfi
	csrsi	sstatus, SSTATUS_SIE
	j	1b
	/* hart_stop (§9.2), with interrupts off; it does not return */
2:	li	t0, SIP_SSIP
	csrc	sie, t0
	SBI	EID_HSM, 1
	sd	a0, S_STOP_ERR(gp)
	li	t0, 1
	fence	rw, w
	sd	t0, S_STOP_RET(gp)
3:	wfi
	j	3b

/* trap_sec: the secondary's trap handler. A supervisor software interrupt
 * clears sip.SSIP and is counted; anything else is counted apart (an
 * interrupt masked in sie, an exception stepped over). Changes no
 * register. */
	.align	2
trap_sec:
	sd	t0, S_SAVE(gp)
	sd	t1, S_SAVE+8(gp)
	csrr	t0, scause
	li	t1, CAUSE_SSI
	bne	t0, t1, 1f
	sd	t0, S_IPI_CAUSE(gp)
	li	t1, SIP_SSIP
	csrc	sip, t1
	csrr	t1, sip
	sd	t1, S_IPI_SIP(gp)
	fence	rw, w
	ld	t1, S_IPI_COUNT(gp)
	addi	t1, t1, 1
	sd	t1, S_IPI_COUNT(gp)
	j	3f
1:	sd	t0, S_OTHER_CAUSE(gp)
	ld	t1, S_OTHER(gp)
	addi	t1, t1, 1
	fence	rw, w
	sd	t1, S_OTHER(gp)
	bgez	t0, 2f
	slli	t0, t0, 1
	srli	t0, t0, 1
	li	t1, 1
	sll	t1, t1, t0
	csrc	sie, t1
	j	3f
2:	csrr	t0, sepc
	lhu	t1, 0(t0)
	andi	t1, t1, 3
	addi	t0, t0, 2
	addi	t1, t1, -3
	bnez	t1, 4f
	addi	t0, t0, 2
4:	csrw	sepc, t0
3:	ld	t0, S_SAVE(gp)
	ld	t1, S_SAVE+8(gp)
	sret

/* trap_boot: the boot hart's trap handler. Records scause and counts the
 * trap; the timer interrupt records time; an interrupt is masked in sie,
 * an exception stepped over. Changes no register. */
	.align	2
trap_boot:
	sd	t0, V_SAVE(gp)
	sd	t1, V_SAVE+8(gp)
	csrr	t0, scause
	sd	t0, V_SCAUSE(gp)
	li	t1, CAUSE_STI
	bne	t0, t1, 1f
	rdtime	t1
	sd	t1, V_TTIME(gp)
1:	ld	t1, V_SCOUNT(gp)
	addi	t1, t1, 1
	sd	t1, V_SCOUNT(gp)
	bgez	t0, 2f
	slli	t0, t0, 1
	srli	t0, t0, 1
	li	t1, 1
	sll	t1, t1, t0
	csrc	sie, t1
	j	3f
2:	csrr	t0, sepc
	lhu	t1, 0(t0)
	andi	t1, t1, 3
	addi	t0, t0, 2
	addi	t1, t1, -3
	bnez	t1, 4f
	addi	t0, t0, 2
4:	csrw	sepc, t0
3:	ld	t0, V_SAVE(gp)
	ld	t1, V_SAVE+8(gp)
	sret

/* ---- output, through the legacy console_putchar (SBI §5.2) */

/* putc(a0): one byte (clobbers a0, a1, a6, a7). */
putc:
	li	a7, EID_LEGACY_PUTCHAR
	ecall
	ret

/* puts(a0): a NUL-terminated string. */
puts:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	mv	s0, a0
1:	lbu	a0, 0(s0)
	beqz	a0, 2f
	call	putc
	addi	s0, s0, 1
	j	1b
2:	ld	ra, 0(sp)
	ld	s0, 8(sp)
	addi	sp, sp, 16
	ret

/* puthex(a0): "0x" and 16 hex digits. */
puthex:
	addi	sp, sp, -32
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	mv	s0, a0
	li	a0, '0'
	call	putc
	li	a0, 'x'
	call	putc
	li	s1, 60
1:	srl	a0, s0, s1
	andi	a0, a0, 15
	addi	a0, a0, '0'
	li	t0, '9'
	ble	a0, t0, 2f
	addi	a0, a0, 'a' - '0' - 10
2:	call	putc
	addi	s1, s1, -4
	bgez	s1, 1b
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	addi	sp, sp, 32
	ret

/* putdec(a0): unsigned decimal. */
putdec:
	addi	sp, sp, -48
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	addi	s0, sp, 40
	sb	zero, 0(s0)
	li	t1, 10
1:	remu	t0, a0, t1
	divu	a0, a0, t1
	addi	t0, t0, '0'
	addi	s0, s0, -1
	sb	t0, 0(s0)
	bnez	a0, 1b
	mv	a0, s0
	call	puts
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	addi	sp, sp, 48
	ret

/* check(a0 = name, a1 = got, a2 = want): the case's line; counts it. */
check:
	addi	sp, sp, -32
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	mv	s0, a0
	mv	s1, a1
	mv	s2, a2
	bne	s1, s2, 1f
	ld	t0, V_OK(gp)
	addi	t0, t0, 1
	sd	t0, V_OK(gp)
	la	a0, s_ok
	call	puts
	mv	a0, s0
	call	puts
	j	2f
1:	ld	t0, V_FAILED(gp)
	addi	t0, t0, 1
	sd	t0, V_FAILED(gp)
	la	a0, s_fail
	call	puts
	mv	a0, s0
	call	puts
	la	a0, s_got
	call	puts
	mv	a0, s1
	call	puthex
	la	a0, s_want
	call	puts
	mv	a0, s2
	call	puthex
2:	li	a0, '\n'
	call	putc
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	addi	sp, sp, 32
	ret

	.section .rodata
s_marker: .asciz "sbi-test: start\n"
s_ok:	.asciz	"ok "
s_fail:	.asciz	"FAIL "
s_got:	.asciz	": got "
s_want:	.asciz	" want "
s_hash:	.asciz	"# "
s_okc:	.asciz	" ok, "
s_failed: .asciz " failed\n"
s_srst:	.asciz	"FAIL srst.shutdown: returned "

	.bss
	.align	4
vars:	.space	V_SIZE
