/* alloc.c — a memory-bound allocator workload: the C library's malloc and
 * free (glibc here, natively and in the guest) under a churn of random
 * sizes, with a live set of about 20 MiB kept in a linked list that is
 * walked and checked after every batch: pointer chasing over a heap much
 * bigger than any TLB, as a long-running program's heap is.
 *
 * Self-test: the walk finds exactly the nodes the kernel knows are live,
 * each with the value it wrote (counted independently in an array). */
#include "kernel.h"
#include <string.h>

struct node {
	struct node *next;
	uint64_t value;
	uint32_t size;
};

#define SLOTS 65536   /* live nodes at most: 20 MiB at 320 bytes on average */

int main(int argc, char **argv)
{
	uint64_t batches = kernel_size(argc, argv, 60);
	struct node **slot = xmalloc(SLOTS * sizeof *slot);
	memset(slot, 0, SLOTS * sizeof *slot);
	struct node *head = NULL;
	uint64_t s = 3, live = 0, sum = 0, walked_sum = 0;
	for (uint64_t b = 0; b < batches; b++) {
		/* churn: replace a quarter of the slots, at random */
		for (int k = 0; k < SLOTS / 4; k++) {
			uint64_t r = rng_next(&s);
			uint32_t i = (uint32_t)(r % SLOTS);
			if (slot[i]) {
				sum -= slot[i]->value;
				slot[i]->value = 0;   /* unlinked at the walk below */
				slot[i] = NULL;
				live--;
			}
			uint32_t size = (uint32_t)(sizeof(struct node) + (r >> 32) % 600);
			struct node *n = xmalloc(size);
			memset(n, 0x5a, size);
			n->value = (r | 1) & 0xffffffff;
			n->size = size;
			n->next = head;
			head = n;
			slot[i] = n;
			sum += n->value;
			live++;
		}
		/* walk: free the dropped nodes, check the others */
		uint64_t count = 0;
		walked_sum = 0;
		for (struct node **pp = &head; *pp;) {
			struct node *n = *pp;
			if (n->value == 0) {
				*pp = n->next;
				free(n);
				continue;
			}
			count++;
			walked_sum += n->value;
			pp = &n->next;
		}
		if (count != live || walked_sum != sum) {
			fprintf(stderr, "alloc self-test: batch %llu: walked %llu nodes (sum %llu), want %llu (sum %llu)\n",
				(unsigned long long)b, (unsigned long long)count, (unsigned long long)walked_sum,
				(unsigned long long)live, (unsigned long long)sum);
			return 1;
		}
	}
	printf("alloc batches=%llu live=%llu sum=%llu\n", (unsigned long long)batches, (unsigned long long)live,
	       (unsigned long long)walked_sum);
	return 0;
}
