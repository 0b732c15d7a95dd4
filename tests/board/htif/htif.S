/* htif: Spike's host-target interface (sys/htif.c), without lib.S: the
 * program defines tohost and fromhost (8 bytes each, in a page of their
 * own, as riscv-tests' link.ld places them) and prints "hello via htif"
 * one character at a time through device 1 (the console), waiting for
 * tohost to be taken each time; then "write syscall" through a system
 * call (device 0, riscv-fesvr's magic memory: which = 64, fd 1, buffer,
 * length), which QEMU's spike machine does not serve; then exits with
 * status 3 (tohost = 3 << 1 | 1). */
    .section .text.init
    .globl _start
_start:
    la a0, msg
1:  lbu t0, 0(a0)
    beqz t0, 2f
    li t1, 1
    slli t1, t1, 56
    li t2, 1
    slli t2, t2, 48
    or t1, t1, t2
    or t1, t1, t0
    la t2, tohost
    sd t1, 0(t2)
3:  ld t3, 0(t2)
    bnez t3, 3b
    addi a0, a0, 1
    j 1b
2:  # a syscall: write(1, msg2, len)
    la t0, magic
    li t1, 64
    sd t1, 0(t0)
    li t1, 1
    sd t1, 8(t0)
    la t1, msg2
    sd t1, 16(t0)
    li t1, 14
    sd t1, 24(t0)
    la t2, tohost
    sd t0, 0(t2)
4:  ld t3, 0(t2)
    bnez t3, 4b
    la t2, fromhost
    sd zero, 0(t2)
    # exit 3: (3 << 1) | 1
    li t1, 7
    la t2, tohost
    sd t1, 0(t2)
5:  j 5b
    .section .rodata
msg: .asciz "hello via htif\n"
msg2: .ascii "write syscall\n"
    .section .data
    .balign 64
magic: .skip 64
    .section .tohost, "aw", @progbits
    .balign 4096
    .globl tohost
tohost: .dword 0
    .size tohost, 8
    .type tohost, @object
    .balign 64
    .globl fromhost
fromhost: .dword 0
    .size fromhost, 8
    .type fromhost, @object
