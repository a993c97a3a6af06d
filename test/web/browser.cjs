// browser.cjs - the status page in real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core from build/web/node_modules; run by test/lab/t_web_browser.sh
// inside the lab's LAN namespace).
//
//   node browser.cjs URL SCREENSHOT RESULT.json FAULT-CMD...
//
// Loads the page, waits for both uplink cards with isp1 active and the live stream
// connected, then runs FAULT-CMD (a blackhole on isp1) and measures how long the page
// takes, without reloading, to show isp1 down and isp2 active. Writes what it saw to
// RESULT.json (the shell test judges it) and screenshots (desktop and phone width).
// Then, with WEB_USER/WEB_PASS in the environment, logs in through the page's form and
// pins isp2 with the Prefer control (the page sends the CSRF token); last, it feeds the
// page's renderer a status object with tunnels and BGP alerts, as their monitors will
// fill it, and checks the tables and the Acknowledge button. At phone width (390 px) every
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
	      fake_alert_buttons: 0, errors: [] };

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
		await page.waitForSelector('[data-uplink="isp1"]', { timeout: 10000 });
		await page.waitForSelector('[data-uplink="isp2"]', { timeout: 10000 });
		res.cards = await page.$$eval("[data-uplink]", (els) =>
			els.map((e) => ({ name: e.dataset.uplink, state: e.dataset.state,
					  active: e.dataset.active === "true" })));
		await page.waitForSelector('[data-uplink="isp1"][data-active="true"]', { timeout: 10000 });
		res.isp1_active_before = true;
		await page.waitForFunction(() => document.getElementById("live").textContent === "live",
					   null, { timeout: 10000 });
		res.live = true;
		await page.evaluate(() => { window.__uplinkdMarker = 42; });
		const nav0 = navigations;

		const t0 = Date.now();
		execFileSync(fault[0], fault.slice(1), { stdio: "ignore" });
		const down = page.waitForSelector('[data-uplink="isp1"][data-state="down"]',
						  { timeout: 10000 }).then(() => { res.down_ms = Date.now() - t0; });
		const act = page.waitForSelector('[data-uplink="isp2"][data-active="true"]',
						 { timeout: 10000 }).then(() => { res.active_ms = Date.now() - t0; });
		await Promise.all([down, act]);
		res.reloaded = navigations !== nav0 ||
			(await page.evaluate(() => window.__uplinkdMarker)) !== 42;

		await page.waitForFunction(() => document.querySelectorAll("svg.graph path").length >= 2 &&
			Array.from(document.querySelectorAll("svg.graph path"))
				.some((p) => (p.getAttribute("d") || "").length > 10),
			null, { timeout: 20000 }).catch(() => {});
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
						   null, { timeout: 5000 });
			res.logged_in = true;
			await page.selectOption("#prefsel", "isp2");
			await page.click("#prefb");
			await page.waitForFunction(() => /preferring isp2/.test(document.getElementById("policy").textContent),
						   null, { timeout: 5000 });
			res.prefer = "isp2";
		}

		const fake = await page.evaluate(() => {
			const st = JSON.parse(JSON.stringify(S.status));
			st.tunnels = [{ name: "hq", state: "up", uplink: "isp2", remote: "198.51.100.10", reason: "ESP answers" },
				      { name: "branch", state: "down", uplink: "isp1", remote: "203.0.113.10", reason: "no ESP for 3 rounds" }];
			st.bgp = { alerts: [{ id: "hijack 203.0.113.0/24 isp1", prefix: "203.0.113.0/24", type: "hijack",
					      peer: "100.64.1.1", uplink: "isp1", origin_as: 64666, since: Date.now() - 60000, acked: false },
					    { id: "leak 203.0.113.0/25 isp2", prefix: "203.0.113.0/25", type: "more-specific",
					      peer: "100.64.2.1", uplink: "isp2", origin_as: 64500, since: Date.now(), acked: true }] };
			showStatus(st);
			return { tunnels: document.querySelectorAll("[data-tunnel]").length,
				 buttons: document.querySelectorAll("[data-alert] button").length };
		});
		res.fake_tunnels = fake.tunnels;
		res.fake_alert_buttons = fake.buttons;
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
