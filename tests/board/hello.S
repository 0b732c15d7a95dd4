/* hello: the smallest kernel — a line through the UART, then power-off.
 * Also checks what the entry point is given (qemu -bios none, and the
 * board the same): a0 = hart id 0, and that the UART's LSR says the
 * transmitter is empty once output has drained (16550: LSR.THRE). */
#include "board.h"

	.text
	.globl	main
main:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	la	a0, greeting
	call	puts
	CHECKV	"boot-a0-hartid", V_BOOT_A0, 0
	/* wait (bounded) for THRE, then read LSR once more */
	li	t0, UART_BASE
	li	t2, 1000000
1:	lbu	t1, UART_LSR(t0)
	andi	t1, t1, UART_LSR_THRE
	bnez	t1, 2f
	addi	t2, t2, -1
	bnez	t2, 1b
2:	lbu	s0, UART_LSR(t0)
	CHECKM	"uart-lsr-thre", s0, UART_LSR_THRE, UART_LSR_THRE
	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret

	.section .rodata
greeting: .asciz "hello from the board\n"
