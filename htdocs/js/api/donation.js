// The host's donation page (site.donation_url in astral.conf), named by
// GET /api/resources (public and cacheable: the same answer the crisis lines
// come from). The footer links to it; Astral Core itself never takes a payment.

import { api } from '/js/api/client.js';

const SOURCE = '/api/resources?category=crisis';
let asked = null;

/** The https:// address of the host's donation page, or null (none set, or no answer). Asked once per page load. */
export function donationUrl() {
	if (!asked) {
		asked = api.get(SOURCE).then((result) => {
			const url = result.ok && result.body ? result.body.donation_url : null;
			return typeof url === 'string' && /^https:\/\/[^\s/]+[^\s]*$/.test(url) ? url : null;
		});
	}
	return asked;
}
