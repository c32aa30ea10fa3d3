/* cgi-bin/videos/sniff.c: MP4 and WebM are told by their first bytes; truncated headers, other
   brands, other formats (PNG, MP3 with ID3, Matroska, text) and nothing at all are not videos. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sniff.h"

/* ffmpeg's header of an H.264 MP4: ftyp (32 bytes), then free and the start of mdat. */
static const unsigned char mp4_isom[] = {
	0x00, 0x00, 0x00, 0x20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0x00, 0x00, 0x02, 0x00,
	'i', 's', 'o', 'm', 'i', 's', 'o', '2', 'a', 'v', 'c', '1', 'm', 'p', '4', '1',
	0x00, 0x00, 0x00, 0x08, 'f', 'r', 'e', 'e', 0x00, 0x00, 0x00, 0x10, 'm', 'd', 'a', 't',
	0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef,
};

/* ffmpeg's EBML header of a WebM file, then the start of the Segment (unknown size). */
static const unsigned char webm[] = {
	0x1a, 0x45, 0xdf, 0xa3, 0x9f,
	0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08,
	0x42, 0x82, 0x84, 'w', 'e', 'b', 'm', 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02,
	0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static void
test_sniff_mp4(void **state)
{
	(void)state;
	assert_int_equal(videos_sniff(mp4_isom, sizeof(mp4_isom)), VIDEOS_KIND_MP4);
	assert_string_equal(videos_kind_mime(VIDEOS_KIND_MP4), "video/mp4");
	/* The ftyp box alone is enough: the sniffer looks at no more. */
	assert_int_equal(videos_sniff(mp4_isom, 32), VIDEOS_KIND_MP4);
}

static void
test_sniff_mp4_brands(void **state)
{
	/* Major brand "M4V " with no compatible brands (a 16-byte ftyp). */
	static const unsigned char m4v[] = {
		0x00, 0x00, 0x00, 0x10, 'f', 't', 'y', 'p', 'M', '4', 'V', ' ', 0x00, 0x00, 0x00, 0x01,
	};
	/* Major brand unknown ("XYZW"), but "mp42" among the compatible ones. */
	static const unsigned char compat[] = {
		0x00, 0x00, 0x00, 0x18, 'f', 't', 'y', 'p', 'X', 'Y', 'Z', 'W', 0x00, 0x00, 0x00, 0x00,
		'X', 'Y', 'Z', 'W', 'm', 'p', '4', '2',
	};
	/* DASH segments. */
	static const unsigned char dash[] = {
		0x00, 0x00, 0x00, 0x18, 'f', 't', 'y', 'p', 'd', 'a', 's', 'h', 0x00, 0x00, 0x00, 0x00,
		'i', 's', 'o', '6', 'm', 'p', '4', '1',
	};

	(void)state;
	assert_int_equal(videos_sniff(m4v, sizeof(m4v)), VIDEOS_KIND_MP4);
	assert_int_equal(videos_sniff(compat, sizeof(compat)), VIDEOS_KIND_MP4);
	assert_int_equal(videos_sniff(dash, sizeof(dash)), VIDEOS_KIND_MP4);
}

static void
test_sniff_webm(void **state)
{
	/* DocType padded with NULs (EBML strings may be). */
	static const unsigned char padded[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0x8d, 0x42, 0x82, 0x86, 'w', 'e', 'b', 'm', 0x00, 0x00, 0x42, 0x87,
		0x81, 0x02, 0x18, 0x53, 0x80, 0x67,
	};
	/* The header's size written in 8 bytes instead of 1. */
	static const unsigned char long_size[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
		0x42, 0x82, 0x84, 'w', 'e', 'b', 'm',
	};

	(void)state;
	assert_int_equal(videos_sniff(webm, sizeof(webm)), VIDEOS_KIND_WEBM);
	assert_string_equal(videos_kind_mime(VIDEOS_KIND_WEBM), "video/webm");
	assert_int_equal(videos_sniff(padded, sizeof(padded)), VIDEOS_KIND_WEBM);
	assert_int_equal(videos_sniff(long_size, sizeof(long_size)), VIDEOS_KIND_WEBM);
}

static void
test_sniff_bad_truncated(void **state)
{
	(void)state;
	/* The ftyp box says 32 bytes; fewer are there. */
	for (size_t n = 0; n < 32; n++)
		assert_int_equal(videos_sniff(mp4_isom, n), VIDEOS_KIND_UNKNOWN);
	/* The EBML header (36 bytes with its ID and size) cut anywhere. */
	for (size_t n = 0; n < 36; n++)
		assert_int_equal(videos_sniff(webm, n), VIDEOS_KIND_UNKNOWN);
}

static void
test_sniff_bad_brand(void **state)
{
	/* QuickTime: "qt  " major and compatible brand. */
	static const unsigned char mov[] = {
		0x00, 0x00, 0x00, 0x14, 'f', 't', 'y', 'p', 'q', 't', ' ', ' ', 0x20, 0x05, 0x03, 0x00,
		'q', 't', ' ', ' ',
	};
	/* HEIF still images are ISO BMFF too. */
	static const unsigned char heic[] = {
		0x00, 0x00, 0x00, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0x00, 0x00, 0x00, 0x00,
		'm', 'i', 'f', '1', 'h', 'e', 'i', 'c',
	};
	unsigned char lower[sizeof(mp4_isom)];

	(void)state;
	assert_int_equal(videos_sniff(mov, sizeof(mov)), VIDEOS_KIND_UNKNOWN);
	assert_int_equal(videos_sniff(heic, sizeof(heic)), VIDEOS_KIND_UNKNOWN);
	/* Brands are case-sensitive: "ISOM" is not "isom". */
	memcpy(lower, mp4_isom, sizeof(lower));
	memcpy(lower + 8, "ISOM", 4);
	memcpy(lower + 16, "ISOMISO2AVC1MP41", 16);
	assert_int_equal(videos_sniff(lower, sizeof(lower)), VIDEOS_KIND_UNKNOWN);
}

static void
test_sniff_bad_box(void **state)
{
	unsigned char b[sizeof(mp4_isom)];

	(void)state;
	/* A box size under 16, one that is not 16 + 4n, and a 64-bit size (1) are refused. */
	memcpy(b, mp4_isom, sizeof(b));
	b[3] = 0x08;
	assert_int_equal(videos_sniff(b, sizeof(b)), VIDEOS_KIND_UNKNOWN);
	b[3] = 0x21;
	assert_int_equal(videos_sniff(b, sizeof(b)), VIDEOS_KIND_UNKNOWN);
	b[3] = 0x01;
	assert_int_equal(videos_sniff(b, sizeof(b)), VIDEOS_KIND_UNKNOWN);
	/* ftyp not at offset 4 (a free box first). */
	assert_int_equal(videos_sniff(mp4_isom + 32, sizeof(mp4_isom) - 32), VIDEOS_KIND_UNKNOWN);
	/* A box type that only looks alike. */
	memcpy(b, mp4_isom, sizeof(b));
	memcpy(b + 4, "ftyP", 4);
	assert_int_equal(videos_sniff(b, sizeof(b)), VIDEOS_KIND_UNKNOWN);
}

static void
test_sniff_bad_other_formats(void **state)
{
	static const unsigned char png[] = {
		0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 'I', 'H', 'D', 'R',
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	};
	/* An MP3 with an ID3v2.4 tag, then a frame header. */
	static const unsigned char mp3[] = {
		'I', 'D', '3', 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 'T', 'I', 'T', '2', 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0xff, 0xfb, 0x90, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	/* Matroska is EBML too, with DocType "matroska". */
	static const unsigned char mkv[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0xa3,
		0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08,
		0x42, 0x82, 0x88, 'm', 'a', 't', 'r', 'o', 's', 'k', 'a', 0x42, 0x87, 0x81, 0x04, 0x42, 0x85,
		0x81, 0x02,
	};
	static const char text[] = "This is a text file renamed to video.mp4, not a video at all.\n";
	/* The ftyp bytes at the right place inside text: "....ftypisom" without a valid box size. */
	static const char fake[] = "abcdftypisom and then some text that goes on";

	(void)state;
	assert_int_equal(videos_sniff(png, sizeof(png)), VIDEOS_KIND_UNKNOWN);
	assert_int_equal(videos_sniff(mp3, sizeof(mp3)), VIDEOS_KIND_UNKNOWN);
	assert_int_equal(videos_sniff(mkv, sizeof(mkv)), VIDEOS_KIND_UNKNOWN);
	assert_int_equal(videos_sniff((const unsigned char *)text, sizeof(text) - 1), VIDEOS_KIND_UNKNOWN);
	assert_int_equal(videos_sniff((const unsigned char *)fake, sizeof(fake) - 1), VIDEOS_KIND_UNKNOWN);
}

static void
test_sniff_bad_ebml(void **state)
{
	/* No DocType in the header. */
	static const unsigned char no_doctype[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0x88, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01,
	};
	/* The header's size is "unknown" (all ones). */
	static const unsigned char unknown_size[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0xff, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm',
	};
	/* A child whose size runs past the header. */
	static const unsigned char overrun[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0x87, 0x42, 0x82, 0x8a, 'w', 'e', 'b', 'm', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	/* A zero byte where a length must start (no marker bit in 8 bits). */
	static const unsigned char zero_vint[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0x00, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm',
	};
	/* DocType "webmx" and "web". */
	static const unsigned char longer[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0x88, 0x42, 0x82, 0x85, 'w', 'e', 'b', 'm', 'x',
	};
	static const unsigned char shorter[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0x86, 0x42, 0x82, 0x83, 'w', 'e', 'b',
	};

	(void)state;
	assert_int_equal(videos_sniff(no_doctype, sizeof(no_doctype)), VIDEOS_KIND_UNKNOWN);
	assert_int_equal(videos_sniff(unknown_size, sizeof(unknown_size)), VIDEOS_KIND_UNKNOWN);
	assert_int_equal(videos_sniff(overrun, sizeof(overrun)), VIDEOS_KIND_UNKNOWN);
	assert_int_equal(videos_sniff(zero_vint, sizeof(zero_vint)), VIDEOS_KIND_UNKNOWN);
	assert_int_equal(videos_sniff(longer, sizeof(longer)), VIDEOS_KIND_UNKNOWN);
	assert_int_equal(videos_sniff(shorter, sizeof(shorter)), VIDEOS_KIND_UNKNOWN);
}

static void
test_sniff_bad_empty(void **state)
{
	(void)state;
	assert_int_equal(videos_sniff(NULL, 0), VIDEOS_KIND_UNKNOWN);
	assert_int_equal(videos_sniff(mp4_isom, 0), VIDEOS_KIND_UNKNOWN);
	assert_null(videos_kind_mime(VIDEOS_KIND_UNKNOWN));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff_mp4),
		cmocka_unit_test(test_sniff_mp4_brands),
		cmocka_unit_test(test_sniff_webm),
		cmocka_unit_test(test_sniff_bad_truncated),
		cmocka_unit_test(test_sniff_bad_brand),
		cmocka_unit_test(test_sniff_bad_box),
		cmocka_unit_test(test_sniff_bad_other_formats),
		cmocka_unit_test(test_sniff_bad_ebml),
		cmocka_unit_test(test_sniff_bad_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
