/*
 * Crisis detector. Steps for each window of at most ASTRAL_CRISIS_WINDOW bytes:
 *   1. normalise and tokenise: lower-case, Latin-1 accents folded, leetspeak folded inside words,
 *      apostrophes and zero-width characters dropped, runs of 3+ letters collapsed to 2 (and to 1
 *      as a second form), punctuation and emoji as word, clause or sentence boundaries;
 *   2. look every token up in the vocabulary of the phrase table (exact, collapsed, or one edit
 *      away for the words marked '~');
 *   3. marker pass: negations, past-tense words, context words, idioms and clause words mark the
 *      tokens they cover;
 *   4. rule pass: each rule match is dropped (idiom, hyperbole near a context word), lowered
 *      (negation, past tense) or kept at its severity; escalators ("have the pills", "tonight")
 *      are collected and fire only next to a partner.
 * The phrase table is compiled once into static arrays; a screen allocates one bounded buffer.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crisis.h"
#include "crisis_internal.h"
#include "log.h"
#include "validate.h"

#define CR_OVERLAP 1024           /* bytes shared by consecutive windows */
#define CR_MAX_VOCAB 4096
#define CR_HASH_SIZE 8192         /* power of two, > 2 * CR_MAX_VOCAB */
#define CR_POOL_SIZE 65536
#define CR_MAX_ALTS 16384
#define CR_MAX_ELEMS 8192
#define CR_MAX_ENTRIES 2048
#define CR_MAX_RULES 512
#define CR_MAX_ENTRY_ELEMS 10
#define CR_MAX_GAP 4
#define CR_MAX_WORD 32
#define CR_MIN_FUZZY 4            /* shortest token tried against the '~' words */
#define CR_MAX_FUZZY 64
#define CR_TOKEN_IDS 4
#define CR_NEG_SCOPE 5            /* words before a rule searched for a negation */
#define CR_POSTNEG_SCOPE 6
#define CR_PAST_SCOPE 12
#define CR_CONTEXT_SCOPE ASTRAL_CRISIS_CONTEXT_SCOPE
#define CR_ESCALATE_SCOPE ASTRAL_CRISIS_ESCALATE_SCOPE
#define CR_MAX_SIGNALS 512
#define CR_STEP_BUDGET 512        /* match steps per start token: bounds backtracking */

#define CR_ID_NUMBER 0xFFF0u
#define CR_ID_BIG_NUMBER 0xFFF1u
#define CR_ID_YEAR 0xFFF2u

/* Token flags set by the marker pass. */
#define TF_NEG 0x01u
#define TF_POSTNEG 0x02u
#define TF_PAST 0x04u
#define TF_PRESENT 0x08u
#define TF_PRESENT_NEAR 0x10u
#define TF_CONTEXT 0x20u
#define TF_CLAUSE 0x40u
#define TF_IDIOM 0x80u

struct cr_elem {
	uint32_t first;   /* into cr.alts */
	uint16_t count;
	uint8_t optional;
	uint8_t end;      /* the '$' element */
};

struct cr_entry {
	uint32_t first_elem;
	uint8_t nelem, kind, category, severity, flags, gap;
	uint16_t rule;    /* index into cr.rule_id, K_RULE only */
};

static struct cr_table {
	int ok;
	char pool[CR_POOL_SIZE];
	size_t pool_used;
	const char *word[CR_MAX_VOCAB];
	uint8_t word_len[CR_MAX_VOCAB];
	size_t nwords;
	uint16_t hash[CR_HASH_SIZE];     /* word id + 1; 0 is empty */
	uint16_t fuzzy[CR_MAX_FUZZY];
	size_t nfuzzy;
	uint16_t alts[CR_MAX_ALTS];
	size_t nalts;
	struct cr_elem elems[CR_MAX_ELEMS];
	size_t nelems;
	struct cr_entry entries[CR_MAX_ENTRIES];
	size_t nentries;
	const char *rule_id[CR_MAX_RULES];
	uint8_t rule_category[CR_MAX_RULES];
	size_t nrules;
	uint32_t index_first[CR_MAX_VOCAB + 1]; /* entries whose first element holds word i */
	uint16_t index[CR_MAX_ALTS];
} cr;

static pthread_once_t cr_once = PTHREAD_ONCE_INIT;

struct cr_token {
	uint32_t off;        /* into work.a (collapsed to 2) and work.b (collapsed to 1) */
	uint32_t src;        /* byte offset in the window of its first character */
	uint16_t len, len1;
	uint16_t sentence, clause;
	uint8_t flags;
	uint8_t nids;
	uint8_t number;      /* 0 not a number, 1 below 10, 2 at least 10, 3 a year 1900..2099 */
	uint16_t ids[CR_TOKEN_IDS];
};

enum cr_signal_kind { SIG_MEANS, SIG_ACT, SIG_TIMING, SIG_RULE };

struct cr_signal {
	size_t pos;
	uint8_t kind;        /* enum cr_signal_kind */
	uint8_t category;    /* SIG_RULE: the rule's category */
	uint16_t rule;       /* escalators: their rule index */
	uint8_t severity;
};

struct cr_work {
	char *a, *b;
	size_t cap, used;
	struct cr_token *tok;
	size_t ntok, tok_cap;
	struct cr_signal sig[CR_MAX_SIGNALS];
	size_t nsig;
	size_t report_from;               /* byte offset in the window: matches starting earlier only
	                                     lower, drop or partner others (the streaming screen) */
	size_t window_pos, window_end;    /* the window's bytes in the screened text */
	size_t signal_end;                /* 1 + the text offset of the latest signal's first byte;
	                                     0: none (the streaming screen's escalation look-back) */
	uint8_t best[CR_MAX_RULES];       /* best severity per rule over all windows */
	uint8_t best_lowered[CR_MAX_RULES];
};

/* ---- phrase table compilation ---- */

static uint32_t
cr_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* Word id of s[0..n), or -1. */
static int
cr_lookup(const char *s, size_t n)
{
	uint32_t h;
	uint16_t slot;

	if (n == 0 || n > CR_MAX_WORD)
		return -1;
	h = cr_hash(s, n) & (CR_HASH_SIZE - 1);
	while ((slot = cr.hash[h]) != 0) {
		unsigned id = slot - 1u;

		if (cr.word_len[id] == n && memcmp(cr.word[id], s, n) == 0)
			return (int)id;
		h = (h + 1) & (CR_HASH_SIZE - 1);
	}
	return -1;
}

static int
cr_intern(const char *s, size_t n)
{
	int id = cr_lookup(s, n);
	uint32_t h;
	char *copy;

	if (id >= 0)
		return id;
	if (cr.nwords >= CR_MAX_VOCAB || cr.pool_used + n + 1 > sizeof(cr.pool))
		return -1;
	copy = cr.pool + cr.pool_used;
	memcpy(copy, s, n);
	copy[n] = '\0';
	cr.pool_used += n + 1;
	id = (int)cr.nwords++;
	cr.word[id] = copy;
	cr.word_len[id] = (uint8_t)n;
	h = cr_hash(s, n) & (CR_HASH_SIZE - 1);
	while (cr.hash[h] != 0)
		h = (h + 1) & (CR_HASH_SIZE - 1);
	cr.hash[h] = (uint16_t)(id + 1);
	return id;
}

static int
cr_mark_fuzzy(int id)
{
	size_t i;

	for (i = 0; i < cr.nfuzzy; i++)
		if (cr.fuzzy[i] == id)
			return 0;
	if (cr.nfuzzy >= CR_MAX_FUZZY || cr.word_len[id] < CR_MIN_FUZZY + 1)
		return -1;
	cr.fuzzy[cr.nfuzzy++] = (uint16_t)id;
	return 0;
}

/* Compiles one element s[0..n) into cr.elems. */
static int
cr_compile_elem(const char *s, size_t n)
{
	struct cr_elem *e;
	size_t i = 0;

	if (cr.nelems >= CR_MAX_ELEMS || n == 0)
		return -1;
	e = &cr.elems[cr.nelems];
	memset(e, 0, sizeof(*e));
	e->first = (uint32_t)cr.nalts;
	if (s[n - 1] == '?') {
		e->optional = 1;
		n--;
	}
	while (i < n) {
		size_t j = i, k;
		int fuzzy = 0, id;

		while (j < n && s[j] != '|')
			j++;
		if (s[i] == '~') {
			fuzzy = 1;
			i++;
		}
		if (j == i || cr.nalts >= CR_MAX_ALTS)
			return -1;
		if (!fuzzy && j - i == 1 && s[i] == '$') {
			if (e->optional)
				return -1;
			e->end = 1;
			i = j + 1;
			continue;
		}
		if (!fuzzy && j - i == 1 && s[i] == '#') {
			id = CR_ID_NUMBER;
		} else if (!fuzzy && j - i == 2 && s[i] == '#' && s[i + 1] == '#') {
			id = CR_ID_BIG_NUMBER;
		} else if (!fuzzy && j - i == 3 && memcmp(s + i, "###", 3) == 0) {
			id = CR_ID_YEAR;
		} else {
			for (k = i; k < j; k++)
				if (!((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= '0' && s[k] <= '9')))
					return -1;
			id = cr_intern(s + i, j - i);
			if (id < 0 || (fuzzy && cr_mark_fuzzy(id) != 0))
				return -1;
		}
		cr.alts[cr.nalts++] = (uint16_t)id;
		e->count++;
		i = j + 1;
	}
	if (e->count == 0 && !e->end)
		return -1;
	cr.nelems++;
	return 0;
}

static int
cr_rule_index(const char *id, unsigned category)
{
	size_t i;

	for (i = 0; i < cr.nrules; i++)
		if (strcmp(cr.rule_id[i], id) == 0)
			return cr.rule_category[i] == category ? (int)i : -1;
	if (cr.nrules >= CR_MAX_RULES)
		return -1;
	cr.rule_id[cr.nrules] = id;
	cr.rule_category[cr.nrules] = (uint8_t)category;
	return (int)cr.nrules++;
}

/* A rule id is lower-case letters, digits, '_' and '.', so it can never echo a user's text. */
static int
cr_rule_id_ok(const char *id)
{
	size_t i;

	if (!id || !id[0])
		return 0;
	for (i = 0; id[i]; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '_' || id[i] == '.'))
			return 0;
	return i <= 64;
}

static int
cr_compile_phrase(const struct astral_crisis_phrase *p)
{
	struct cr_entry *en;
	const struct cr_elem *first;
	const char *s = p->pattern;
	size_t i = 0, n, k;

	if (!s || cr.nentries >= CR_MAX_ENTRIES || p->gap > CR_MAX_GAP || p->kind > ASTRAL_CRISIS_K_CLAUSE)
		return -1;
	en = &cr.entries[cr.nentries];
	memset(en, 0, sizeof(*en));
	en->first_elem = (uint32_t)cr.nelems;
	en->kind = p->kind;
	en->gap = p->gap;
	if (p->kind == ASTRAL_CRISIS_K_RULE) {
		int r;

		if (!cr_rule_id_ok(p->rule) || p->severity < ASTRAL_CRISIS_LOW || p->severity > ASTRAL_CRISIS_HIGH)
			return -1;
		if (p->category != ASTRAL_CRISIS_SUICIDE && p->category != ASTRAL_CRISIS_SELF_HARM &&
		    p->category != ASTRAL_CRISIS_DANGER && p->category != ASTRAL_CRISIS_DISTRESS)
			return -1;
		r = cr_rule_index(p->rule, p->category);
		if (r < 0)
			return -1;
		en->rule = (uint16_t)r;
		en->category = p->category;
		en->severity = p->severity;
		en->flags = p->flags;
	} else if (p->rule || p->flags) {
		return -1;
	}
	n = strlen(s);
	while (i < n) {
		size_t j = i;

		while (j < n && s[j] != ' ')
			j++;
		if (j > i) {
			if (en->nelem >= CR_MAX_ENTRY_ELEMS || cr_compile_elem(s + i, j - i) != 0)
				return -1;
			en->nelem++;
		}
		i = j + 1;
	}
	if (en->nelem == 0)
		return -1;
	first = &cr.elems[en->first_elem];
	if (first->optional || first->end || first->count == 0)
		return -1;
	for (k = 0; k < first->count; k++)
		if (cr.alts[first->first + k] >= CR_ID_NUMBER)
			return -1;
	cr.nentries++;
	return 0;
}

static void
cr_compile(void)
{
	size_t i, k, total = 0;

	memset(&cr, 0, sizeof(cr));
	for (i = 0; i < astral_crisis_nphrases; i++)
		if (cr_compile_phrase(&astral_crisis_phrases[i]) != 0)
			return;
	/* Index entries by the words of their first element (counting sort). */
	for (i = 0; i < cr.nentries; i++) {
		const struct cr_elem *first = &cr.elems[cr.entries[i].first_elem];

		for (k = 0; k < first->count; k++)
			cr.index_first[cr.alts[first->first + k] + 1]++;
	}
	for (i = 0; i < cr.nwords; i++) {
		total += cr.index_first[i + 1];
		cr.index_first[i + 1] = (uint32_t)total;
	}
	{
		static uint32_t fill[CR_MAX_VOCAB];

		memcpy(fill, cr.index_first, sizeof(fill));
		for (i = 0; i < cr.nentries; i++) {
			const struct cr_elem *first = &cr.elems[cr.entries[i].first_elem];

			for (k = 0; k < first->count; k++)
				cr.index[fill[cr.alts[first->first + k]]++] = (uint16_t)i;
		}
	}
	cr.ok = 1;
}

/* ---- normalisation and tokens ---- */

/* Latin-1 letters U+00C0..U+00FF folded to ASCII; 0 is a boundary (× ÷). */
static const char cr_latin1[64] = {
	'a', 'a', 'a', 'a', 'a', 'a', 'a', 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
	'd', 'n', 'o', 'o', 'o', 'o', 'o', 0, 'o', 'u', 'u', 'u', 'u', 'y', 't', 's',
	'a', 'a', 'a', 'a', 'a', 'a', 'a', 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
	'd', 'n', 'o', 'o', 'o', 'o', 'o', 0, 'o', 'u', 'u', 'u', 'u', 'y', 't', 'y'
};

/* Decodes one code point of valid UTF-8 (checked by the caller). */
static size_t
cr_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80 || n < 2) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xE0) {
		*cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if (s[0] < 0xF0 || n < 4) {
		if (n < 3) {
			*cp = 0xFFFD;
			return n;
		}
		*cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return 3;
	}
	*cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
	    ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
	return 4;
}

enum cr_class { CH_LETTER, CH_LEET, CH_SKIP, CH_BOUND, CH_CLAUSE, CH_SENTENCE, CH_LAUGH };

static int
cr_is_alnum(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Classifies the code point at s[i]; letters are written to *c (two for "ß"). */
static enum cr_class
cr_classify(const unsigned char *s, size_t n, size_t i, uint32_t cp, int in_word, char c[2], size_t *nc)
{
	*nc = 0;
	if (cp < 0x80) {
		unsigned next = i + 1 < n ? s[i + 1] : 0;

		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		if (cp >= 'a' && cp <= 'z') {
			c[(*nc)++] = (char)cp;
			return CH_LETTER;
		}
		if ((cp >= '0' && cp <= '9') || cp == '@' || cp == '$') {
			c[(*nc)++] = (char)cp;
			return CH_LEET;
		}
		if (cp == '\'' || cp == '`')
			return CH_SKIP;
		if ((cp == '!' || cp == '|') && in_word && cr_is_alnum(next)) {
			c[(*nc)++] = cp == '!' ? 'i' : 'l';
			return CH_LETTER;
		}
		if (cp == '.') {
			if (next == '.' || (i > 0 && s[i - 1] == '.') || cr_is_alnum(next))
				return CH_BOUND;
			return CH_SENTENCE;
		}
		if (cp == '!' || cp == '?' || cp == '\n')
			return CH_SENTENCE;
		if (cp == ',' || cp == ';' || cp == ':')
			return CH_CLAUSE;
		return CH_BOUND;
	}
	if (cp >= 0xC0 && cp <= 0xFF) {
		char l = cr_latin1[cp - 0xC0];

		if (!l)
			return CH_BOUND;
		c[(*nc)++] = l;
		if (cp == 0xDF)
			c[(*nc)++] = 's';
		return CH_LETTER;
	}
	if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC || cp == 0x00AD || (cp >= 0x200B && cp <= 0x200D) ||
	    cp == 0x2060 || cp == 0xFEFF || (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0xFE00 && cp <= 0xFE0F))
		return CH_SKIP;
	if ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A)) {
		c[(*nc)++] = (char)('a' + (cp >= 0xFF41 ? cp - 0xFF41 : cp - 0xFF21));
		return CH_LETTER;
	}
	if (cp >= 0xFF10 && cp <= 0xFF19) {
		c[(*nc)++] = (char)('0' + (cp - 0xFF10));
		return CH_LEET;
	}
	/* Laughing faces and the skull ("I'm dead") read as "lol", a context word. */
	if (cp == 0x1F602 || cp == 0x1F923 || cp == 0x1F480 || cp == 0x1F606 || cp == 0x1F639 || cp == 0x1F605)
		return CH_LAUGH;
	if (cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F)
		return CH_SENTENCE;
	return CH_BOUND;
}

static int
cr_damerau1(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0;

	if (na > nb + 1 || nb > na + 1)
		return 0;
	while (i < na && i < nb && a[i] == b[i])
		i++;
	if (i == na && i == nb)
		return 1;
	if (na == nb) {
		if (memcmp(a + i + 1, b + i + 1, na - i - 1) == 0)
			return 1;  /* substitution */
		return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    memcmp(a + i + 2, b + i + 2, na - i - 2) == 0;  /* transposition */
	}
	if (na > nb)
		return memcmp(a + i + 1, b + i, nb - i) == 0;
	return memcmp(a + i, b + i + 1, na - i) == 0;
}

static void cr_token_ids(const struct cr_work *w, struct cr_token *t);

static void
cr_add_id(struct cr_token *t, int id)
{
	size_t i;

	if (id < 0 || t->nids >= CR_TOKEN_IDS)
		return;
	for (i = 0; i < t->nids; i++)
		if (t->ids[i] == id)
			return;
	t->ids[t->nids++] = (uint16_t)id;
}

/* Finishes the token that starts at w->a + t->off: leetspeak, collapsed forms, word ids. */
static void
cr_finish_token(struct cr_work *w, struct cr_token *t)
{
	char *a = w->a + t->off, *b = w->b + t->off;
	size_t n = w->used - t->off, i, na = 0, nb = 0, run;
	int has_letter = 0;

	for (i = 0; i < n; i++)
		if (a[i] >= 'a' && a[i] <= 'z')
			has_letter = 1;
	if (has_letter) {
		for (i = 0; i < n; i++) {
			switch (a[i]) {
			case '0': a[i] = 'o'; break;
			case '1': a[i] = 'i'; break;
			case '3': a[i] = 'e'; break;
			case '4': a[i] = 'a'; break;
			case '5': a[i] = 's'; break;
			case '7': a[i] = 't'; break;
			case '@': a[i] = 'a'; break;
			case '$': a[i] = 's'; break;
			default: break;
			}
		}
	} else {
		unsigned long value = 0;

		for (i = 0; i < n; i++)
			if (a[i] >= '0' && a[i] <= '9') {
				a[na++] = a[i];
				if (value < 1000000)
					value = value * 10 + (unsigned long)(a[i] - '0');
			}
		n = na;
		na = 0;
		if (n == 0) {
			w->used = t->off;
			return;
		}
		t->number = value >= 1900 && value <= 2099 ? 3 : value >= 10 ? 2 : 1;
	}
	/* Collapse runs: a keeps at most 2 of a run of 3+, b keeps 1 of such a run. */
	for (i = 0; i < n; i += run) {
		size_t k;

		run = 1;
		while (i + run < n && a[i + run] == a[i])
			run++;
		for (k = 0; k < (run >= 3 ? 2 : run); k++)
			a[na + k] = a[i];
		for (k = 0; k < (run >= 3 ? 1 : run); k++)
			b[nb + k] = a[i];
		na += run >= 3 ? 2 : run;
		nb += run >= 3 ? 1 : run;
	}
	t->len = (uint16_t)(na > UINT16_MAX ? UINT16_MAX : na);
	t->len1 = (uint16_t)(nb > UINT16_MAX ? UINT16_MAX : nb);
	w->used = t->off + na;
	if (!t->number)
		cr_token_ids(w, t);
	w->ntok++;
}

/* Word ids of a token: its collapsed-to-2 form, its collapsed-to-1 form, and the '~' words one
   edit away from either. */
static void
cr_token_ids(const struct cr_work *w, struct cr_token *t)
{
	const char *a = w->a + t->off, *b = w->b + t->off;
	size_t na = t->len, nb = t->len1, i;

	t->nids = 0;
	cr_add_id(t, cr_lookup(a, na));
	if (nb != na)
		cr_add_id(t, cr_lookup(b, nb));
	if (na >= CR_MIN_FUZZY && na <= CR_MAX_WORD) {
		for (i = 0; i < cr.nfuzzy; i++) {
			uint16_t id = cr.fuzzy[i];

			if (cr_damerau1(a, na, cr.word[id], cr.word_len[id]) ||
			    (nb != na && cr_damerau1(b, nb, cr.word[id], cr.word_len[id])))
				cr_add_id(t, id);
		}
	}
}

/* Letters spelled out one by one ("k i l l myself") become one word: a run of at least three
   one-letter tokens in one clause. Their letters are adjacent in w->a and w->b already. */
static void
cr_join_spelled(struct cr_work *w)
{
	size_t i = 0, out = 0, j;

	while (i < w->ntok) {
		j = i;
		while (j < w->ntok && w->tok[j].len == 1 && !w->tok[j].number && w->tok[j].clause == w->tok[i].clause &&
		    w->tok[j].off == w->tok[i].off + (j - i))
			j++;
		if (j - i >= 3) {
			struct cr_token merged = w->tok[i];

			merged.len = (uint16_t)(j - i);
			merged.len1 = merged.len;
			memcpy(w->b + merged.off, w->a + merged.off, merged.len);
			cr_token_ids(w, &merged);
			w->tok[out++] = merged;
			i = j;
		} else {
			w->tok[out++] = w->tok[i++];
		}
	}
	w->ntok = out;
}

static void
cr_tokenize(struct cr_work *w, const unsigned char *s, size_t n)
{
	size_t i = 0;
	int in_word = 0;
	unsigned pending = 0;  /* 1: clause break, 2: sentence break since the last token */
	uint16_t sentence = 0, clause = 0;

	w->ntok = 0;
	w->used = 0;
	while (i < n && w->ntok < w->tok_cap) {
		uint32_t cp;
		size_t at = i, len = cr_decode(s + i, n - i, &cp), nc, k;
		char c[2];
		enum cr_class cls = cr_classify(s, n, i, cp, in_word, c, &nc);

		i += len;
		if (cls == CH_SKIP)
			continue;
		if (cls == CH_LETTER || cls == CH_LEET) {
			if (!in_word) {
				struct cr_token *t = &w->tok[w->ntok];

				if (pending == 2 && w->ntok > 0)
					sentence++;
				if (pending && w->ntok > 0)
					clause++;
				pending = 0;
				memset(t, 0, sizeof(*t));
				t->off = (uint32_t)w->used;
				t->src = (uint32_t)at;
				t->sentence = sentence;
				t->clause = clause;
				in_word = 1;
			}
			for (k = 0; k < nc && w->used < w->cap; k++)
				w->a[w->used++] = c[k];
			continue;
		}
		if (in_word) {
			cr_finish_token(w, &w->tok[w->ntok]);
			in_word = 0;
		}
		if (cls == CH_LAUGH && w->ntok < w->tok_cap && w->used + 3 <= w->cap) {
			struct cr_token *t = &w->tok[w->ntok];

			memset(t, 0, sizeof(*t));
			t->off = (uint32_t)w->used;
			t->src = (uint32_t)at;
			t->sentence = sentence;
			t->clause = clause;
			memcpy(w->a + w->used, "lol", 3);
			w->used += 3;
			cr_finish_token(w, t);
		} else if (cls == CH_SENTENCE) {
			pending = 2;
		} else if (cls == CH_CLAUSE && pending < 1) {
			pending = 1;
		}
	}
	if (in_word && w->ntok < w->tok_cap)
		cr_finish_token(w, &w->tok[w->ntok]);
	cr_join_spelled(w);
}

/* Ends the word in progress of a sentence scan: it is counted when it is certainly a token of its
   own, i.e. at least two characters with a letter or digit (a shorter one may be joined with its
   neighbours as spelled-out letters, and one of only '@' or '$' is dropped), so that `words`
   never counts more tokens than cr_tokenize makes. */
static void
cr_scan_end_word(struct astral_crisis_sentence_scan *sc)
{
	if (sc->in_word && sc->word_chars >= 2 && sc->word_alnum)
		sc->words++;
	sc->in_word = 0;
}

/* The same classification and the same sentence rule as cr_tokenize, one character at a time, so
   a sentence start found here is one where cr_tokenize starts a new sentence. */
int
astral_crisis_next_sentence(struct astral_crisis_sentence_scan *sc, const char *text, size_t upto, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;

	while (sc->pos < upto) {
		size_t at = sc->pos, n, nc;
		uint32_t cp;
		char c[2];
		enum cr_class cls;

		n = cr_decode(s + at, len - at, &cp);
		if (at + n > upto)
			break;  /* a character cut at `upto`: the next scan reads it whole */
		cls = cr_classify(s, len, at, cp, sc->in_word, c, &nc);
		sc->pos = at + n;
		if (cls == CH_SKIP)
			continue;
		if (cls == CH_LETTER || cls == CH_LEET) {
			int new_sentence = !sc->in_word && sc->pending == 2;

			if (!sc->in_word) {
				sc->in_word = 1;
				sc->word_chars = 0;
				sc->word_alnum = 0;
				sc->pending = 0;
			}
			sc->word_chars += nc;
			if ((c[0] >= 'a' && c[0] <= 'z') || (c[0] >= '0' && c[0] <= '9'))
				sc->word_alnum = 1;
			if (new_sentence) {
				sc->start = at;
				sc->start_words = sc->words;
				return 1;
			}
			continue;
		}
		cr_scan_end_word(sc);
		if (cls == CH_LAUGH)
			sc->words++;
		else if (cls == CH_SENTENCE)
			sc->pending = 2;
		else if (cls == CH_CLAUSE && sc->pending < 1)
			sc->pending = 1;
	}
	return 0;
}

/* ---- matching ---- */

static int
cr_token_in(const struct cr_token *t, const struct cr_elem *e)
{
	size_t k, j;

	for (k = 0; k < e->count; k++) {
		uint16_t a = cr.alts[e->first + k];

		if (a == CR_ID_NUMBER) {
			if (t->number)
				return 1;
		} else if (a == CR_ID_BIG_NUMBER) {
			if (t->number >= 2)
				return 1;
		} else if (a == CR_ID_YEAR) {
			if (t->number == 3)
				return 1;
		} else {
			for (j = 0; j < t->nids; j++)
				if (t->ids[j] == a)
					return 1;
		}
	}
	return 0;
}

static int
cr_at_clause_end(const struct cr_work *w, size_t p)
{
	if (p >= w->ntok)
		return 1;
	if (p == 0)
		return 0;
	return w->tok[p].clause != w->tok[p - 1].clause || (w->tok[p].flags & TF_CLAUSE);
}

/* Matches elements ei.. of en with the next element at most en->gap words after p; '$' (the
   clause end) matches at p itself, without a gap. */
static int
cr_match_rest(const struct cr_work *w, const struct cr_entry *en, unsigned ei, size_t p, uint16_t sentence,
    size_t *end, unsigned *budget)
{
	const struct cr_elem *e;
	size_t k;

	if (ei == en->nelem) {
		*end = p;
		return 1;
	}
	if (*budget == 0)
		return 0;
	(*budget)--;
	e = &cr.elems[en->first_elem + ei];
	if (e->end && cr_at_clause_end(w, p) && cr_match_rest(w, en, ei + 1, p, sentence, end, budget))
		return 1;
	for (k = 0; e->count > 0 && k <= en->gap && p + k < w->ntok; k++) {
		const struct cr_token *t = &w->tok[p + k];

		if (t->sentence != sentence)
			break;
		if (cr_token_in(t, e) && cr_match_rest(w, en, ei + 1, p + k + 1, sentence, end, budget))
			return 1;
	}
	return e->optional && cr_match_rest(w, en, ei + 1, p, sentence, end, budget);
}

static void
cr_mark(struct cr_work *w, const struct cr_entry *en, size_t s, size_t e)
{
	static const uint8_t flag_of_kind[] = {
		[ASTRAL_CRISIS_K_IDIOM] = TF_IDIOM, [ASTRAL_CRISIS_K_NEGATION] = TF_NEG,
		[ASTRAL_CRISIS_K_POSTNEG] = TF_POSTNEG, [ASTRAL_CRISIS_K_PAST] = TF_PAST,
		[ASTRAL_CRISIS_K_PRESENT] = TF_PRESENT, [ASTRAL_CRISIS_K_PRESENT_NEAR] = TF_PRESENT_NEAR,
		[ASTRAL_CRISIS_K_CONTEXT] = TF_CONTEXT, [ASTRAL_CRISIS_K_CLAUSE] = TF_CLAUSE,
	};
	size_t k;

	for (k = s; k < e; k++)
		w->tok[k].flags |= flag_of_kind[en->kind];
}

static int
cr_flag_in(const struct cr_work *w, size_t from, size_t to, unsigned flag)
{
	size_t k;

	for (k = from; k < to && k < w->ntok; k++)
		if (w->tok[k].flags & flag)
			return 1;
	return 0;
}

static int
cr_negated(const struct cr_work *w, size_t s, size_t e)
{
	const struct cr_token *first = &w->tok[s];
	size_t k;

	if (!(first->flags & TF_CLAUSE)) {
		for (k = s; k > 0 && s - k < CR_NEG_SCOPE; k--) {
			const struct cr_token *t = &w->tok[k - 1];

			if (t->clause != first->clause || (t->flags & TF_CLAUSE))
				break;
			if (t->flags & TF_NEG)
				return 1;
		}
	}
	for (k = e; k < w->ntok && k - e < CR_POSTNEG_SCOPE; k++) {
		if (w->tok[k].sentence != first->sentence)
			break;
		if (w->tok[k].flags & TF_POSTNEG)
			return 1;
	}
	return 0;
}

/* Past-tense words in the sentence near the rule, not cancelled by a present-tense word. */
static int
cr_past(const struct cr_work *w, size_t s, size_t e)
{
	uint16_t sentence = w->tok[s].sentence;
	size_t from = s > CR_PAST_SCOPE ? s - CR_PAST_SCOPE : 0;
	size_t to = e + CR_PAST_SCOPE < w->ntok ? e + CR_PAST_SCOPE : w->ntok;
	size_t k;
	int past = 0;

	while (w->tok[from].sentence != sentence)
		from++;
	while (to > e && w->tok[to - 1].sentence != sentence)
		to--;
	if (cr_flag_in(w, from, to, TF_PRESENT))
		return 0;
	for (k = from; k < to && !past; k++) {
		if (!(w->tok[k].flags & TF_PAST) || (k >= s && k < e))
			continue;
		if (k < s)
			past = !cr_flag_in(w, k, s, TF_PRESENT_NEAR);
		else
			past = !cr_flag_in(w, e, k, TF_PRESENT_NEAR);
	}
	return past;
}

static void
cr_note(struct cr_work *w, uint16_t rule, unsigned severity, int lowered)
{
	if (severity > w->best[rule] || (severity == w->best[rule] && !lowered && w->best_lowered[rule])) {
		w->best[rule] = (uint8_t)severity;
		w->best_lowered[rule] = (uint8_t)(lowered != 0);
	}
}

static void
cr_signal(struct cr_work *w, size_t pos, enum cr_signal_kind kind, const struct cr_entry *en)
{
	struct cr_signal *sg;
	size_t end;

	if (w->nsig >= CR_MAX_SIGNALS) {
		w->signal_end = w->window_end;  /* a signal not kept could stand anywhere */
		return;
	}
	end = w->window_pos + w->tok[pos].src + 1;
	if (end > w->signal_end)
		w->signal_end = end;
	sg = &w->sig[w->nsig++];
	sg->pos = pos;
	sg->kind = (uint8_t)kind;
	sg->category = en->category;
	sg->rule = en->rule;
	sg->severity = en->severity;
}

/* A match starting at token s counts in the result; one before report_from was counted by an
   earlier screen of the stream and is here only as context and as an escalation partner. */
static int
cr_reported(const struct cr_work *w, size_t s)
{
	return w->tok[s].src >= w->report_from;
}

static void
cr_apply_rule(struct cr_work *w, const struct cr_entry *en, size_t s, size_t e)
{
	unsigned severity = en->severity, floor;
	int negated, past, lowered = 0;

	if (cr_flag_in(w, s, e, TF_IDIOM))
		return;
	if ((en->flags & ASTRAL_CRISIS_F_HYPERBOLE) &&
	    cr_flag_in(w, s > CR_CONTEXT_SCOPE ? s - CR_CONTEXT_SCOPE : 0, e + CR_CONTEXT_SCOPE, TF_CONTEXT))
		return;
	negated = cr_negated(w, s, e);
	past = cr_past(w, s, e);
	if (en->flags & (ASTRAL_CRISIS_F_MEANS | ASTRAL_CRISIS_F_ACT | ASTRAL_CRISIS_F_TIMING)) {
		if (!negated && !past)
			cr_signal(w, s, (en->flags & ASTRAL_CRISIS_F_MEANS) ? SIG_MEANS :
			    (en->flags & ASTRAL_CRISIS_F_ACT) ? SIG_ACT : SIG_TIMING, en);
		return;
	}
	if (negated) {
		severity = severity >= ASTRAL_CRISIS_MEDIUM ? ASTRAL_CRISIS_LOW : ASTRAL_CRISIS_NONE;
		lowered = 1;
	}
	if (past && severity > ASTRAL_CRISIS_NONE) {
		floor = en->category == ASTRAL_CRISIS_DISTRESS ? ASTRAL_CRISIS_NONE : ASTRAL_CRISIS_LOW;
		if (severity - 1 >= floor) {
			severity--;
			lowered = 1;
		}
	}
	if (severity == ASTRAL_CRISIS_NONE)
		return;
	if (cr_reported(w, s))
		cr_note(w, en->rule, severity, lowered);
	if (!lowered)
		cr_signal(w, s, SIG_RULE, en);
}

static int
cr_partner(const struct cr_signal *x, const struct cr_signal *y)
{
	unsigned crisis = ASTRAL_CRISIS_SUICIDE | ASTRAL_CRISIS_SELF_HARM;

	switch (x->kind) {
	case SIG_MEANS:
		return y->kind == SIG_ACT || y->kind == SIG_TIMING ||
		    (y->kind == SIG_RULE && (y->category & (crisis | ASTRAL_CRISIS_DANGER)));
	case SIG_ACT:
		return y->kind == SIG_MEANS || (y->kind == SIG_RULE && (y->category & (crisis | ASTRAL_CRISIS_DISTRESS)));
	case SIG_TIMING:
		return y->kind == SIG_MEANS || (y->kind == SIG_RULE && (y->category & crisis));
	default:
		return 0;
	}
}

/* An escalator adds its reason only when a partner stands within CR_ESCALATE_SCOPE words (and,
   in a streaming screen, one of the two is reported). */
static void
cr_escalate(struct cr_work *w)
{
	size_t i, j;

	for (i = 0; i < w->nsig; i++) {
		const struct cr_signal *x = &w->sig[i];

		if (x->kind == SIG_RULE)
			continue;
		for (j = 0; j < w->nsig; j++) {
			const struct cr_signal *y = &w->sig[j];
			size_t d = x->pos > y->pos ? x->pos - y->pos : y->pos - x->pos;

			if (j != i && d <= CR_ESCALATE_SCOPE && cr_partner(x, y) &&
			    (cr_reported(w, x->pos) || cr_reported(w, y->pos))) {
				cr_note(w, x->rule, x->severity, 0);
				break;
			}
		}
	}
}

static void
cr_scan(struct cr_work *w, int rules)
{
	size_t i, j, x, end;

	for (i = 0; i < w->ntok; i++) {
		const struct cr_token *t = &w->tok[i];

		for (j = 0; j < t->nids; j++) {
			uint16_t id = t->ids[j];

			for (x = cr.index_first[id]; x < cr.index_first[id + 1]; x++) {
				const struct cr_entry *en = &cr.entries[cr.index[x]];
				unsigned budget = CR_STEP_BUDGET;

				if ((en->kind == ASTRAL_CRISIS_K_RULE) != rules)
					continue;
				if (!cr_match_rest(w, en, 1, i + 1, t->sentence, &end, &budget))
					continue;
				if (rules)
					cr_apply_rule(w, en, i, end);
				else
					cr_mark(w, en, i, end);
			}
		}
	}
}

static void
cr_screen_window(struct cr_work *w, const unsigned char *s, size_t n)
{
	cr_tokenize(w, s, n);
	w->nsig = 0;
	cr_scan(w, 0);
	cr_scan(w, 1);
	cr_escalate(w);
}

static int
cr_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* Byte length of the window starting at pos: at most ASTRAL_CRISIS_WINDOW, ending on a space
   when the text goes on, so that no word is cut. */
static size_t
cr_window_len(const unsigned char *s, size_t len, size_t pos)
{
	size_t n = len - pos, k;

	if (n <= ASTRAL_CRISIS_WINDOW)
		return n;
	n = ASTRAL_CRISIS_WINDOW;
	for (k = n; k > n - 64; k--)
		if (cr_space(s[pos + k]))
			return k;
	while (n > 0 && (s[pos + n] & 0xC0) == 0x80)
		n--;
	return n;
}

size_t
astral_crisis_start_after_space(const char *text, size_t from, size_t end)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t k;

	for (k = from; k < end; k++)
		if (cr_space(s[k]))
			return k + 1;
	while (from < end && (s[from] & 0xC0) == 0x80)
		from++;
	return from;
}

/* Start of the next window: CR_OVERLAP bytes back from the end, moved past a space. */
static size_t
cr_next_start(const unsigned char *s, size_t pos, size_t wlen)
{
	size_t end = pos + wlen;

	return astral_crisis_start_after_space((const char *)s, end - CR_OVERLAP, end);
}

static int
cr_reason_before(const struct cr_work *w, size_t a, size_t b)
{
	if (w->best[a] != w->best[b])
		return w->best[a] > w->best[b];
	return a < b;
}

astral_err
astral_crisis_screen_reporting(const char *text, size_t len, size_t report_from, struct astral_crisis_result *out,
                               size_t *signal_end)
{
	struct cr_work *w = NULL;
	const unsigned char *s = (const unsigned char *)text;
	uint16_t order[CR_MAX_RULES];
	size_t cap, pos = 0, n = 0, i, j;
	astral_err rc = ASTRAL_ERR_INVALID;

	if (!out)
		return ASTRAL_ERR_INVALID;
	memset(out, 0, sizeof(*out));
	if (signal_end != NULL)
		*signal_end = 0;
	if ((!text && len > 0) || (len > 0 && !astral_utf8_valid(text, len)))
		goto out;
	rc = ASTRAL_ERR_INTERNAL;
	if (pthread_once(&cr_once, cr_compile) != 0 || !cr.ok)
		goto out;
	rc = ASTRAL_OK;
	if (len == 0)
		goto out;
	rc = ASTRAL_ERR_NOMEM;
	cap = len < ASTRAL_CRISIS_WINDOW ? len : ASTRAL_CRISIS_WINDOW;
	w = calloc(1, sizeof(*w));
	if (!w)
		goto out;
	w->cap = cap;
	w->tok_cap = cap / 2 + 2;
	w->tok = malloc(w->tok_cap * sizeof(struct cr_token) + 2 * cap);
	if (!w->tok)
		goto out;
	w->a = (char *)(w->tok + w->tok_cap);
	w->b = w->a + cap;
	for (;;) {
		size_t wlen = cr_window_len(s, len, pos);

		w->report_from = report_from > pos ? report_from - pos : 0;
		w->window_pos = pos;
		w->window_end = pos + wlen;
		cr_screen_window(w, s + pos, wlen);
		if (pos + wlen >= len)
			break;
		pos = cr_next_start(s, pos, wlen);
	}
	for (i = 0; i < cr.nrules; i++) {
		if (!w->best[i])
			continue;
		out->categories |= cr.rule_category[i];
		for (j = n; j > 0 && cr_reason_before(w, i, order[j - 1]); j--)
			order[j] = order[j - 1];
		order[j] = (uint16_t)i;
		n++;
	}
	for (i = 0; i < n && i < ASTRAL_CRISIS_MAX_REASONS; i++) {
		struct astral_crisis_reason *r = &out->reasons[i];

		r->category = cr.rule_category[order[i]];
		r->severity = (enum astral_crisis_severity)w->best[order[i]];
		r->rule = cr.rule_id[order[i]];
		r->lowered = w->best_lowered[order[i]];
		out->nreasons++;
	}
	out->severity = n ? (enum astral_crisis_severity)w->best[order[0]] : ASTRAL_CRISIS_NONE;
	if (signal_end != NULL)
		*signal_end = w->signal_end;
	rc = ASTRAL_OK;
out:
	if (w)
		free(w->tok);
	free(w);
	return rc;
}

astral_err
astral_crisis_screen(const char *text, size_t len, struct astral_crisis_result *out)
{
	return astral_crisis_screen_reporting(text, len, 0, out, NULL);
}

void
astral_crisis_none_on_failure(astral_err err, struct astral_crisis_result *out)
{
	if (err != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_ERROR, "crisis screen failed: %s", astral_strerror(err));
		memset(out, 0, sizeof(*out));
	}
}

void
astral_crisis_screen_or_none(const char *text, struct astral_crisis_result *out)
{
	astral_crisis_none_on_failure(astral_crisis_screen(text, text != NULL ? strlen(text) : 0, out), out);
}

const char *
astral_crisis_severity_name(enum astral_crisis_severity s)
{
	switch (s) {
	case ASTRAL_CRISIS_NONE:
		return "none";
	case ASTRAL_CRISIS_LOW:
		return "low";
	case ASTRAL_CRISIS_MEDIUM:
		return "medium";
	case ASTRAL_CRISIS_HIGH:
		return "high";
	}
	return "unknown";
}
