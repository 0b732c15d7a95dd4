/*
 * fdt.c — the board's device tree, made with libfdt (libfdt-dev) and
 * handed to the firmware in a1, as QEMU's virt machine does: the nodes
 * firmware and kernels look for (memory, the hart and its interrupt
 * controller, the timebase, the CLINT, the UART, the test device with
 * its poweroff and reboot) in the layout of Linux's device tree bindings.
 * Without libfdt the board has no device tree (a1 = 0).
 */
#include "sys/board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MVM_HAVE_FDT
#include <libfdt.h>

#define PH_TEST 1
#define PH_PLIC 2
#define PH_INTC 3       /* hart i's interrupt controller: PH_INTC + i */

/* A "reg" of two address and two size cells. */
static int reg(void *fdt, uint64_t base, uint64_t size)
{
    fdt32_t v[4] = { cpu_to_fdt32((uint32_t)(base >> 32)), cpu_to_fdt32((uint32_t)base),
                     cpu_to_fdt32((uint32_t)(size >> 32)), cpu_to_fdt32((uint32_t)size) };
    return fdt_property(fdt, "reg", v, sizeof v);
}

/* "interrupts-extended": interrupts first and second of every hart's
 * interrupt controller, hart by hart. */
static int per_hart_irqs(const struct board *b, void *fdt, uint32_t first, uint32_t second)
{
    fdt32_t irq[4 * BOARD_MAX_HARTS];
    for (unsigned i = 0; i < b->nharts; i++) {
        irq[4 * i] = irq[4 * i + 2] = cpu_to_fdt32(PH_INTC + i);
        irq[4 * i + 1] = cpu_to_fdt32(first);
        irq[4 * i + 3] = cpu_to_fdt32(second);
    }
    return fdt_property(fdt, "interrupts-extended", irq, (int)(sizeof irq[0] * 4 * b->nharts));
}

/* A NUL-separated string list, given with its total length. */
#define STRINGS(fdt, name, s) fdt_property(fdt, name, s, sizeof s)

static int build(struct board *b, void *fdt, int size, const char *bootargs)
{
    int r = 0;
    char name[64];
#define T(call) do { if ((r = (call)) != 0) return r; } while (0)
    T(fdt_create(fdt, size));
    T(fdt_finish_reservemap(fdt));
    T(fdt_begin_node(fdt, ""));
    T(fdt_property_u32(fdt, "#address-cells", 2));
    T(fdt_property_u32(fdt, "#size-cells", 2));
    T(fdt_property_string(fdt, "compatible", "riscv-virtio"));
    T(fdt_property_string(fdt, "model", "riscv-virtio,qemu"));

    T(fdt_begin_node(fdt, "chosen"));
    T(fdt_property_string(fdt, "stdout-path", "/soc/serial@10000000"));
    if (bootargs)
        T(fdt_property_string(fdt, "bootargs", bootargs));
    T(fdt_end_node(fdt));

    snprintf(name, sizeof name, "memory@%llx", (unsigned long long)BOARD_RAM_BASE);
    T(fdt_begin_node(fdt, name));
    T(fdt_property_string(fdt, "device_type", "memory"));
    T(reg(fdt, BOARD_RAM_BASE, b->cfg.ram_bytes));
    T(fdt_end_node(fdt));

    T(fdt_begin_node(fdt, "cpus"));
    T(fdt_property_u32(fdt, "#address-cells", 1));
    T(fdt_property_u32(fdt, "#size-cells", 0));
    T(fdt_property_u32(fdt, "timebase-frequency", (uint32_t)BOARD_TIMEBASE_HZ));
    for (unsigned i = 0; i < b->nharts; i++) {
        snprintf(name, sizeof name, "cpu@%u", i);
        T(fdt_begin_node(fdt, name));
        T(fdt_property_string(fdt, "device_type", "cpu"));
        T(fdt_property_u32(fdt, "reg", i));
        T(fdt_property_string(fdt, "status", "okay"));
        T(fdt_property_string(fdt, "compatible", "riscv"));
        T(fdt_property_string(fdt, "riscv,isa", "rv64imafdc_zicsr_zifencei_zba_zbb_zbs"));
        T(fdt_property_string(fdt, "mmu-type", "riscv,sv57"));
        T(fdt_begin_node(fdt, "interrupt-controller"));
        T(fdt_property_u32(fdt, "#interrupt-cells", 1));
        T(fdt_property(fdt, "interrupt-controller", NULL, 0));
        T(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
        T(fdt_property_u32(fdt, "phandle", PH_INTC + i));
        T(fdt_end_node(fdt));
        T(fdt_end_node(fdt));
    }
    T(fdt_end_node(fdt));

    T(fdt_begin_node(fdt, "soc"));
    T(fdt_property_u32(fdt, "#address-cells", 2));
    T(fdt_property_u32(fdt, "#size-cells", 2));
    T(fdt_property_string(fdt, "compatible", "simple-bus"));
    T(fdt_property(fdt, "ranges", NULL, 0));

    snprintf(name, sizeof name, "clint@%llx", (unsigned long long)BOARD_CLINT_BASE);
    T(fdt_begin_node(fdt, name));
    T(STRINGS(fdt, "compatible", "sifive,clint0\0riscv,clint0"));
    T(reg(fdt, BOARD_CLINT_BASE, BOARD_CLINT_SIZE));
    /* Machine software (3) and machine timer (7) interrupts of each hart. */
    T(per_hart_irqs(b, fdt, 3, 7));
    T(fdt_end_node(fdt));

    snprintf(name, sizeof name, "plic@%llx", (unsigned long long)BOARD_PLIC_BASE);
    T(fdt_begin_node(fdt, name));
    T(STRINGS(fdt, "compatible", "sifive,plic-1.0.0\0riscv,plic0"));
    T(reg(fdt, BOARD_PLIC_BASE, BOARD_PLIC_SIZE));
    T(fdt_property_u32(fdt, "#address-cells", 0));
    T(fdt_property_u32(fdt, "#interrupt-cells", 1));
    T(fdt_property(fdt, "interrupt-controller", NULL, 0));
    T(fdt_property_u32(fdt, "riscv,ndev", 31));
    T(fdt_property_u32(fdt, "phandle", PH_PLIC));
    /* Context 2h: hart h's machine external interrupt (11); 2h + 1: its
     * supervisor external interrupt (9). */
    T(per_hart_irqs(b, fdt, 11, 9));
    T(fdt_end_node(fdt));

    snprintf(name, sizeof name, "serial@%llx", (unsigned long long)BOARD_UART_BASE);
    T(fdt_begin_node(fdt, name));
    T(fdt_property_string(fdt, "compatible", "ns16550a"));
    T(reg(fdt, BOARD_UART_BASE, 0x100));
    T(fdt_property_u32(fdt, "clock-frequency", 3686400));
    T(fdt_property_u32(fdt, "interrupts", BOARD_UART_IRQ));
    T(fdt_property_u32(fdt, "interrupt-parent", PH_PLIC));
    T(fdt_end_node(fdt));

    /* virtio-mmio devices. */
    for (unsigned i = 0; i < b->ndev; i++) {
        const struct board_dev *d = b->dev[i];
        if (strncmp(d->name, "virtio", 6) != 0)
            continue;
        snprintf(name, sizeof name, "virtio_mmio@%llx", (unsigned long long)d->base);
        T(fdt_begin_node(fdt, name));
        T(fdt_property_string(fdt, "compatible", "virtio,mmio"));
        T(reg(fdt, d->base, d->size));
        T(fdt_property_u32(fdt, "interrupts", BOARD_VIRTIO_IRQ + (uint32_t)((d->base - BOARD_VIRTIO_BASE) / 0x1000)));
        T(fdt_property_u32(fdt, "interrupt-parent", PH_PLIC));
        T(fdt_end_node(fdt));
    }

    snprintf(name, sizeof name, "test@%llx", (unsigned long long)BOARD_TEST_BASE);
    T(fdt_begin_node(fdt, name));
    T(STRINGS(fdt, "compatible", "sifive,test1\0sifive,test0\0syscon"));
    T(reg(fdt, BOARD_TEST_BASE, 0x1000));
    T(fdt_property_u32(fdt, "phandle", PH_TEST));
    T(fdt_end_node(fdt));
    T(fdt_end_node(fdt));      /* soc */

    static const struct { const char *node, *compatible; uint32_t value; } syscon[] = {
        { "poweroff", "syscon-poweroff", 0x5555 },
        { "reboot", "syscon-reboot", 0x7777 },
    };
    for (unsigned i = 0; i < 2; i++) {
        T(fdt_begin_node(fdt, syscon[i].node));
        T(fdt_property_string(fdt, "compatible", syscon[i].compatible));
        T(fdt_property_u32(fdt, "regmap", PH_TEST));
        T(fdt_property_u32(fdt, "offset", 0));
        T(fdt_property_u32(fdt, "value", syscon[i].value));
        T(fdt_end_node(fdt));
    }
    T(fdt_end_node(fdt));      /* / */
    T(fdt_finish(fdt));
#undef T
    return 0;
}

int board_fdt(struct board *b, const char *bootargs, uint64_t *addr, char *why, size_t whylen)
{
    enum { MAX = 16384 };
    char *buf = malloc(MAX);    /* (boards of several VMs may start at once) */
    int r = buf ? build(b, buf, MAX, bootargs) : -FDT_ERR_NOSPACE;
    if (r != 0) {
        snprintf(why, whylen, "device tree: %s", buf ? fdt_strerror(r) : "out of host memory");
        free(buf);
        return -1;
    }
    /* As QEMU places it: the last 2 MiB-aligned place at the end of RAM;
     * in RAM under 4 MiB, where that would be over the firmware at its
     * start, the last 4 KiB-aligned place. */
    uint64_t size = fdt_totalsize(buf), end = BOARD_RAM_BASE + b->cfg.ram_bytes;
    uint64_t at = (end - size) & ~((2ull << 20) - 1);
    if (at < BOARD_RAM_BASE + (2ull << 20))
        at = (end - size) & ~(uint64_t)(MEM_PAGE_SIZE - 1);
    if (at < BOARD_RAM_BASE + MEM_PAGE_SIZE || mem_poke(b->phys, at, buf, size) != 0) {
        snprintf(why, whylen, "device tree: no room in RAM");
        free(buf);
        return -1;
    }
    free(buf);
    *addr = at;
    return 0;
}

#else

int board_fdt(struct board *b, const char *bootargs, uint64_t *addr, char *why, size_t whylen)
{
    *addr = 0;
    return 1;
}

#endif
