/* cgi-bin/videos: the route table. Everything else is in the handlers and libastral. */
#include "program.h"
#include "videos.h"

static const struct astral_route routes[] = {
	{ "GET", "/api/wellness/videos", videos_feed, ASTRAL_ANY_USER, &videos_feed_input, 0 },
	{ "POST", "/api/wellness/videos", videos_upload, ASTRAL_ANY_USER, NULL, ASTRAL_BODY_STREAM },
	{ "POST", "/api/wellness/videos/{uuid}/like", videos_like, ASTRAL_ANY_USER, NULL, 0 },
	{ "DELETE", "/api/wellness/videos/{uuid}/like", videos_unlike, ASTRAL_ANY_USER, NULL, 0 },
	{ "GET", "/media/videos/{uuid}", videos_media, ASTRAL_ANY_USER, NULL, 0 },
};

/* ASTRAL_PROGRAM spelled out: this program has a start-up hook (the video directory). */
static const struct astral_stmt *const stmt_tables[] = { videos_stmts, NULL };
static const size_t stmt_counts[] = { VIDEOS_STMT_COUNT, 0 };
static const struct astral_program program = {
	.name = "videos",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmt_tables = stmt_tables,
	.stmt_counts = stmt_counts,
	.init = videos_init,
};

int
main(int argc, char **argv)
{
	return astral_program_main(argc, argv, &program);
}
