/*
 * seeds.S — the code the fuzz seed corpus starts from: one small program
 * per section, each position-independent and run by fuzz_run.c at
 * 0x10000 with x1..x31 pointing into its data area (x2 at its stack top).
 * `tests/fuzz/run.sh --update-seeds` turns each section into a seed of
 * fuzz_run (with a leading step-size byte) and of fuzz_decode.
 * Exit is ecall with a7 = 93; a7 = 215/222/226 unmap, map and protect.
 */
        .option norelax

        .section .seed_alu, "ax"
        li      t0, 100
        li      t1, -7
1:      add     t2, t2, t0
        mul     t3, t2, t1
        mulh    t4, t3, t0
        div     t5, t3, t1
        remu    t6, t3, t0
        divw    a0, t1, zero
        sraiw   a1, t3, 3
        sh2add  a2, t0, t1
        clz     a3, t3
        cpop    a4, t3
        rori    a5, t3, 13
        bseti   a6, a5, 63
        andn    a7, a6, t0
        rev8    s2, a7
        addi    t0, t0, -1
        bnez    t0, 1b
        li      a7, 93
        ecall

        .section .seed_mem, "ax"
        li      t0, 0x12345678
        sd      t0, 0(a1)
        sw      t0, 13(a1)
        sh      t0, 2047(a2)
        lb      t1, 0(a1)
        lhu     t2, 13(a1)
        lwu     t3, 2046(a2)
        ld      t4, 1(a1)
        amoadd.w t5, t0, (a3)
        amoswap.d t6, t0, (a4)
        amomaxu.d s2, t0, (a4)
1:      lr.d    s3, (a5)
        addi    s3, s3, 1
        sc.d    s4, s3, (a5)
        bnez    s4, 1b
        sd      t0, -8(sp)
        ld      a0, -8(sp)
        li      a7, 93
        ecall

        /* FP arithmetic in a loop (so it gets hot enough to compile),
         * under a different rounding mode each time round. */
        .section .seed_fp, "ax"
        li      s3, 20
        li      s5, 5
        li      t0, 3
1:      remu    s4, s3, s5
        fsrm    s4
        fcvt.d.l fa0, t0
        fcvt.s.w fa1, t0
        fsqrt.d fa2, fa0
        fdiv.d  fa3, fa2, fa0
        fmadd.d fa4, fa3, fa2, fa0
        fcvt.s.d fa5, fa4
        fdiv.s  fa6, fa5, fa1
        fmin.s  fa7, fa6, fa1
        fmul.s  ft1, fa6, fa5
        fsub.d  ft2, fa4, fa3
        fclass.d t1, fa4
        feq.s   t2, fa6, fa1
        fcvt.w.d t3, fa4
        fsd     fa4, 0(a1)
        flw     ft0, 0(a1)
        fmv.x.w t4, ft0
        frflags t6
        csrr    s2, fcsr
        addi    t0, t0, 7
        addi    s3, s3, -1
        bnez    s3, 1b
        li      a7, 93
        ecall

        /* Adds 1 to the immediate of the "li a0, 1" at 2f (offset 8),
         * three times, calling it after each change (fence.i between). */
        .section .seed_smc, "ax"
        .option push
        .option norvc
        auipc   t0, 0
        j       3f
2:      li      a0, 1
        ret
3:      li      s2, 3
        li      t2, 0x100000
1:      lw      t1, 8(t0)
        add     t1, t1, t2
        sw      t1, 8(t0)
        fence.i
        jal     ra, 2b
        addi    s2, s2, -1
        bnez    s2, 1b
        li      a7, 93
        ecall
        .option pop

        /* Unmaps a data page and touches it; protects the code page
         * read-only-executable and writes it; then a load from the hole. */
        .section .seed_sys, "ax"
        mv      a0, a3
        li      a1, 4096
        li      a7, 215
        ecall
        auipc   a0, 0
        li      a1, 4096
        li      a2, 5
        li      a7, 226
        ecall
        sw      zero, 0(a0)
        ld      t0, 0(a3)
        li      a7, 93
        ecall

        .section .seed_rvc, "ax"
        c.li    a0, 5
        c.addi  a0, -1
        c.slli  a0, 3
        c.mv    a1, a0
        c.add   a1, a0
        c.sub   a1, a0
        c.andi  a1, 7
        c.sw    a0, 4(a2)
        c.lw    a3, 4(a2)
        c.sdsp  a0, 0(sp)
        c.ldsp  a4, 0(sp)
        c.addi16sp sp, -32
        c.addi4spn a5, sp, 16
        c.beqz  a0, 2f
1:      c.addiw a0, -1
        c.bnez  a0, 1b
        c.j     2f
        c.nop
2:      li      a7, 93
        ecall

        /* Ends in traps: an illegal encoding, ebreak, a 48-bit encoding. */
        .section .seed_trap, "ax"
        li      t0, 1
        beqz    t0, 1f
        .2byte  0
1:      ebreak
        .4byte  0xffffffff
