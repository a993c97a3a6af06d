// browser.cjs - the status page in real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core from build/web/node_modules; run by test/lab/t_web_browser.sh
// inside the lab's LAN namespace).
//
//   node browser.cjs URL SCREENSHOT RESULT.json FAULT-CMD...
//
// Loads the page, waits for both uplink cards with isp1 active and the live stream
// connected, then runs FAULT-CMD (a blackhole on isp1) and waits (generously: the shell
// test asserts behaviour; make bench reads down_ms/active_ms) until the page shows, without
// reloading, isp1 down and isp2 active. Writes what it saw to RESULT.json (the shell test
// judges it against the daemon's /api/status) and screenshots (desktop and phone width).
// It records the BGP alert rows the page shows (the daemon's real alerts: the shell test
// raised one). Then, with WEB_USER/WEB_PASS in the environment, logs in through the page's
// form, pins isp2 with the Prefer control (the page sends the CSRF token) and clicks the
// Acknowledge button of the first unacknowledged alert, waiting for the page to show it
// acknowledged. Last, it feeds the page's renderer a status object with tunnels (the lab
// has no IPsec here), as their monitor will fill it, and counts the rows. At phone width (390 px) every
// table must fit inside its card (.card or .tbl), measured twice: with the live page, and
// with the page's renderer given the widest content it can meet (long reasons, paths, IPv6
// remotes, targets and alert ids, target errors, unacknowledged alerts with their button)
// in the same step, so a status pushed meanwhile cannot undo it (phone_tables,
// phone_tables_end: the tables that do not fit, with their widths; a screenshot of each).
"use strict";
const { chromium } = require("playwright-core");
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [url, shot, resultFile, ...fault] = process.argv.slice(2);
const res = { cards: [], live: false, isp1_active_before: false, down_ms: null,
	      active_ms: null, reloaded: null, graphs: 0, events_with_reason: 0, target_rows: 0,
	      phone_fits: null, phone_tables: null, phone_tables_end: null, logged_in: false, prefer: null, fake_tunnels: 0,
	      alerts: [], acked: null, alerts_after: [], errors: [] };
const WAIT = 60000;	// generous: a slow machine is not a failure; speed is make bench's

// The alert rows the page shows: id, and whether it shows a live Acknowledge button
function alertRows(page) {
	return page.$$eval("[data-alert]", (trs) => trs.map((tr) => {
		const b = tr.querySelector("button");
		return { id: tr.dataset.alert, button: !!b, enabled: !!b && !b.disabled,
			 acked: /acknowledged/.test(tr.textContent) };
	}));
}

// At the current viewport: the tables wider than their card, [] when every one fits. With
// `widest`, first render the widest content (in the same step as the measurement).
function tablesOverflowing(page, widest) {
	return page.evaluate((widest) => {
		if (widest) {
			const st = JSON.parse(JSON.stringify(S.status)), now = Date.now();
			const long = "0/4 targets answered for 3 rounds; last RTT 0.1 ms; charon not reachable at /run/strongswan/charon.vici: retrying";
			st.tunnels = [{ name: "headquarters-frankfurt", state: "degraded", uplink: "isp2-lte-backup",
					remote: "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", reason: long }];
			st.bgp = { alerts: [{ id: "subprefix:2001:db8:ffff:ff00::/56:isp2-lte-backup",
					      prefix: "2001:db8:ffff:ff00::/56", type: "subprefix",
					      peer: "2001:db8:ffff:ffff::1", uplink: "isp2-lte-backup",
					      origin_as: 4200000000, since: now - 3 * 3600000, acked: false }] };
			(st.uplinks || []).forEach((u) => (u.targets || []).forEach((x) => {
				x.name = "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe"; x.method = "arping";
				x.sent = 123456789; x.answered = 123456780; x.rtt_ms = 12345.6;
				x.error = "not an HTTP answer: no status line in the first 1024 bytes";
			}));
			showStatus(st);
			S.events.push({ ts_ms: now, type: "config", object: "/etc/uplinkd/a-rather-long-directory-name/uplinkd.conf",
					old: "loaded-from-a-previous-version", new: "reloaded", reason: long });
			showEvents();
		}
		return Array.from(document.querySelectorAll("table")).map((t) => {
			const card = t.closest(".card, .tbl") || document.body;
			const w = t.getBoundingClientRect().width, cw = card.clientWidth;
			return { table: (t.querySelector("tbody") || {}).id || t.className || "?",
				 width: Math.round(w), scroll: t.scrollWidth, card: cw,
				 fits: w <= cw + 1 && t.scrollWidth <= cw + 1 &&
				       card.getBoundingClientRect().right <= window.innerWidth + 1 };
		}).filter((x) => !x.fits);
	}, widest);
}

async function atPhoneWidth(page, shotFile, widest) {
	await page.setViewportSize({ width: 390, height: 844 });
	await page.waitForTimeout(300);
	const over = await tablesOverflowing(page, widest);
	await page.screenshot({ path: shotFile, fullPage: true });
	await page.setViewportSize({ width: 1200, height: 900 });
	return over;
}

async function main() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uplinkd-chromium-"));
	const ctx = await chromium.launchPersistentContext(dir, {
		executablePath: "/usr/bin/chromium",
		headless: true,
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		       "--no-first-run", "--disable-background-networking",
		       "--disable-component-update", "--disable-sync"],
		viewport: { width: 1200, height: 900 },
	});
	try {
		const page = ctx.pages()[0] || await ctx.newPage();
		let navigations = 0;
		page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations++; });
		page.on("pageerror", (e) => res.errors.push(String(e)));
		await page.goto(url, { waitUntil: "load" });
		await page.waitForSelector('[data-uplink="isp1"]', { timeout: WAIT });
		await page.waitForSelector('[data-uplink="isp2"]', { timeout: WAIT });
		res.cards = await page.$$eval("[data-uplink]", (els) =>
			els.map((e) => ({ name: e.dataset.uplink, state: e.dataset.state,
					  active: e.dataset.active === "true" })));
		await page.waitForSelector('[data-uplink="isp1"][data-active="true"]', { timeout: WAIT });
		res.isp1_active_before = true;
		await page.waitForFunction(() => document.getElementById("live").textContent === "live",
					   null, { timeout: WAIT });
		res.live = true;
		await page.evaluate(() => { window.__uplinkdMarker = 42; });
		const nav0 = navigations;

		const t0 = Date.now();
		execFileSync(fault[0], fault.slice(1), { stdio: "ignore" });
		const down = page.waitForSelector('[data-uplink="isp1"][data-state="down"]',
						  { timeout: WAIT }).then(() => { res.down_ms = Date.now() - t0; });
		const act = page.waitForSelector('[data-uplink="isp2"][data-active="true"]',
						 { timeout: WAIT }).then(() => { res.active_ms = Date.now() - t0; });
		await Promise.all([down, act]);
		res.reloaded = navigations !== nav0 ||
			(await page.evaluate(() => window.__uplinkdMarker)) !== 42;
		if (process.env.WANT_ALERT)	// the shell test raised one: wait for its row
			await page.waitForSelector("[data-alert]", { timeout: WAIT }).catch(() => {});
		res.alerts = await alertRows(page);

		await page.waitForFunction(() => document.querySelectorAll("svg.graph path").length >= 2 &&
			Array.from(document.querySelectorAll("svg.graph path"))
				.some((p) => (p.getAttribute("d") || "").length > 10),
			null, { timeout: WAIT }).catch(() => {});
		res.graphs = await page.$$eval("svg.graph path", (ps) =>
			ps.filter((p) => (p.getAttribute("d") || "").length > 10).length);
		res.target_rows = await page.$$eval("[data-uplink] [data-target]", (trs) =>
			trs.filter((tr) => Number(tr.dataset.answered) > 0 &&
				   / ms$/.test(tr.children[2].textContent)).length);
		res.events_with_reason = await page.$$eval("#events tr", (trs) =>
			trs.filter((tr) => tr.children.length === 3 && tr.children[2].textContent.length > 0).length);
		fs.mkdirSync(path.dirname(shot), { recursive: true });
		await page.screenshot({ path: shot, fullPage: true });

		await page.setViewportSize({ width: 390, height: 844 });
		await page.waitForTimeout(300);
		res.phone_fits = await page.evaluate(() =>
			document.documentElement.scrollWidth <= window.innerWidth + 1);
		await page.screenshot({ path: shot.replace(/\.png$/, "-phone.png"), fullPage: true });
		await page.setViewportSize({ width: 1200, height: 900 });
		res.phone_tables = await atPhoneWidth(page, shot.replace(/\.png$/, "-phone-tables.png"));

		if (process.env.WEB_USER) {
			await page.fill("#user", process.env.WEB_USER);
			await page.fill("#pass", process.env.WEB_PASS || "");
			await page.click("#loginb");
			await page.waitForFunction(() => /Logged in as/.test(document.getElementById("who").textContent),
						   null, { timeout: WAIT });
			res.logged_in = true;
			await page.selectOption("#prefsel", "isp2");
			await page.click("#prefb");
			await page.waitForFunction(() => /preferring isp2/.test(document.getElementById("policy").textContent),
						   null, { timeout: WAIT });
			res.prefer = "isp2";
			const id = (res.alerts.find((a) => !a.acked) || {}).id;
			if (id) {
				const sel = `[data-alert="${id}"]`;
				await page.waitForSelector(`${sel} button:not([disabled])`, { timeout: WAIT });
				await page.click(`${sel} button`);
				await page.waitForFunction((s) => {
					const tr = document.querySelector(s);
					return tr && /acknowledged/.test(tr.textContent);
				}, sel, { timeout: WAIT });
				res.acked = id;
			}
			res.alerts_after = await alertRows(page);
		}

		const fake = await page.evaluate(() => {
			const st = JSON.parse(JSON.stringify(S.status));
			st.tunnels = [{ name: "hq", state: "up", uplink: "isp2", remote: "198.51.100.10", reason: "ESP answers" },
				      { name: "branch", state: "down", uplink: "isp1", remote: "203.0.113.10", reason: "no ESP for 3 rounds" }];
			showStatus(st);
			return { tunnels: document.querySelectorAll("[data-tunnel]").length };
		});
		res.fake_tunnels = fake.tunnels;
		res.phone_tables_end = await atPhoneWidth(page, shot.replace(/\.png$/, "-phone-end.png"), true);
	} finally {
		await ctx.close();
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

main().catch((e) => { res.errors.push(String(e && e.message || e)); })
	.finally(() => {
		fs.writeFileSync(resultFile, JSON.stringify(res, null, 1) + "\n");
		process.exit(0);
	});
