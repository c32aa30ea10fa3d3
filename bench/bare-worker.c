/*
 * The memory floor of a worker on this platform: the same shared libraries as an Astral Core
 * program (libpq, libjwt, json-c, OpenSSL, libfcgi), one database connection, one HS256 token
 * signed and verified, one JSON parse — and nothing of libastral. bench/run prints its resident
 * memory beside the real workers', so what the library itself costs is visible.
 */
#include <fcgiapp.h>
#include <jwt.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	unsigned char key[32];
	jwt_t *jwt = NULL, *decoded = NULL;
	PGconn *conn;
	char *token;

	if (argc != 2) {
		fprintf(stderr, "usage: bare-worker CONNINFO\n");
		return 2;
	}
	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK || RAND_bytes(key, sizeof(key)) != 1 || jwt_new(&jwt) != 0)
		return 1;
	jwt_set_alg(jwt, JWT_ALG_HS256, key, sizeof(key));
	jwt_add_grant(jwt, "sub", "bench");
	token = jwt_encode_str(jwt);
	if (token == NULL || jwt_decode(&decoded, token, key, sizeof(key)) != 0)
		return 1;
	PQclear(PQexec(conn, "SELECT 1"));
	json_object_put(json_tokener_parse("{\"a\":1}"));
	if (FCGX_Init() != 0)
		return 1;
	printf("%d\n", (int)getpid());
	fflush(stdout);
	sleep(3);
	free(token);
	jwt_free(jwt);
	jwt_free(decoded);
	PQfinish(conn);
	return 0;
}
