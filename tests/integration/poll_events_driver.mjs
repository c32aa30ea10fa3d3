// Drives the UI's polling code (htdocs/js/api/poll-events.js) against a running stack, for
// test_apache_front.py: one poll per line read on stdin, its events printed as one JSON line.
//
//   node --experimental-detect-module poll_events_driver.mjs BASE_URL <<< '{"token": ..., "session": ...}'
// The first stdin line gives the Bearer access token and the SessionResponse the page would hold.

import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [base, htdocs] = process.argv.slice(2);
const { createPollSource } = await import(pathToFileURL(resolve(htdocs, 'js/api/poll-events.js')).href);

const lines = createInterface({ input: process.stdin });
let poll = null;
let token = null;

async function get(path) {
	let response;
	try {
		response = await fetch(base + path, {
			headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
		});
	} catch {
		return { ok: false, status: 0, body: null };
	}
	const type = response.headers.get('Content-Type') || '';
	const body = type.includes('application/json') ? await response.json() : null;
	return { ok: response.ok, status: response.status, body };
}

for await (const line of lines) {
	if (poll === null) {
		const setup = JSON.parse(line);
		token = setup.token;
		poll = createPollSource({ session: setup.session, get });
		console.log(JSON.stringify({ ready: true }));
		continue;
	}
	const events = await poll();
	console.log(JSON.stringify({ events }));
}
