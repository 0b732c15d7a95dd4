/*
 * hash.c — FNV-1a (32 and 64 bit), CRC-32 (IEEE, reflected) and a SHA-256
 * written here from FIPS 180-4, checked against published test vectors:
 * FNV-1a from the FNV reference test suite, CRC-32("123456789") =
 * 0xcbf43926 (the standard check value), SHA-256 from FIPS 180-4's
 * examples ("abc", the 448-bit message, one million 'a'). Heavy on 32-bit
 * shifts, rotates and the W-suffixed RV64 instructions.
 * guest-variants: glibc picolibc clang
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "check.h"

static uint32_t fnv1a32(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t h = 0x811c9dc5u;
	while (n--)
		h = (h ^ *s++) * 0x01000193u;
	return h;
}

static uint64_t fnv1a64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull;
	while (n--)
		h = (h ^ *s++) * 0x100000001b3ull;
	return h;
}

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t c = 0xffffffffu;
	while (n--)
		c = crc_table[(c ^ *s++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

/* ---- SHA-256 (FIPS 180-4) ---- */

struct sha256 {
	uint32_t h[8];
	unsigned char buf[64];
	size_t len;
	uint64_t total;
};

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
			      ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
			      ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(s->h, iv, sizeof iv);
	s->len = 0;
	s->total = 0;
}

static void sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	s->total += n;
	while (n > 0) {
		size_t take = 64 - s->len < n ? 64 - s->len : n;
		memcpy(s->buf + s->len, p, take);
		s->len += take;
		p += take;
		n -= take;
		if (s->len == 64) {
			sha256_block(s, s->buf);
			s->len = 0;
		}
	}
}

static void sha256_final(struct sha256 *s, char hex[65])
{
	uint64_t bits = s->total * 8;
	unsigned char pad = 0x80, zero = 0, len[8];

	sha256_update(s, &pad, 1);
	while (s->len != 56)
		sha256_update(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(s, len, 8);
	for (int i = 0; i < 8; i++)
		sprintf(hex + 8 * i, "%08x", (unsigned)s->h[i]);
}

static void sha256_hex(const void *p, size_t n, char hex[65])
{
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, p, n);
	sha256_final(&s, hex);
}

int main(void)
{
	char hex[65], what[96];

	check_u64("fnv1a32(\"\")", fnv1a32("", 0), 0x811c9dc5u);
	check_u64("fnv1a32(\"a\")", fnv1a32("a", 1), 0xe40c292cu);
	check_u64("fnv1a32(\"foobar\")", fnv1a32("foobar", 6), 0xbf9cf968u);
	check_u64("fnv1a64(\"\")", fnv1a64("", 0), 0xcbf29ce484222325ull);
	check_u64("fnv1a64(\"a\")", fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
	check_u64("fnv1a64(\"foobar\")", fnv1a64("foobar", 6), 0x85944171f73967e8ull);

	crc_init();
	check_u64("crc32(\"123456789\")", crc32("123456789", 9), 0xcbf43926u);
	check_u64("crc32(\"\")", crc32("", 0), 0);

	static const struct { const char *msg; const char *digest; } vec[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		sha256_hex(vec[i].msg, strlen(vec[i].msg), hex);
		printf("sha256(\"%.12s%s\") = %s\n", vec[i].msg,
		       strlen(vec[i].msg) > 12 ? "..." : "", hex);
		snprintf(what, sizeof what, "sha256 vector %zu", i);
		check(what, strcmp(hex, vec[i].digest) == 0);
	}

	/* one million 'a', fed in uneven pieces to exercise buffering */
	{
		static char block[1024];
		struct sha256 s;
		size_t fed = 0, piece = 1;
		memset(block, 'a', sizeof block);
		sha256_init(&s);
		while (fed < 1000000) {
			size_t n = 1000000 - fed < piece ? 1000000 - fed : piece;
			sha256_update(&s, block, n);
			fed += n;
			piece = piece % 997 + 13;
		}
		sha256_final(&s, hex);
		printf("sha256(1e6 x 'a') = %s\n", hex);
		check("sha256 million a",
		      strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);
	}

	/* hashes of generated data, for the differential comparison */
	{
		static unsigned char data[65536];
		uint32_t x = 1;
		for (size_t i = 0; i < sizeof data; i++) {
			x = x * 1103515245u + 12345u;
			data[i] = (unsigned char)(x >> 16);
		}
		sha256_hex(data, sizeof data, hex);
		printf("generated: fnv32 %08x fnv64 %016llx crc %08x sha256 %s\n",
		       (unsigned)fnv1a32(data, sizeof data),
		       (unsigned long long)fnv1a64(data, sizeof data),
		       (unsigned)crc32(data, sizeof data), hex);
	}
	return check_failures ? 1 : 0;
}
