"""The dashboard in a real browser: Debian's chromium (headless, driven by playwright) on the page a
live system serves (`switchboard run` and a private redis-server). Orders are placed through the
page's form, over HTTP and with `redis-cli`; the page must show them. Each state is saved under
screenshots/ (git-ignored). The tests run in this order and share one system; the last one stops a
service."""
from __future__ import annotations

import json
import socket
import subprocess
import shutil
import time
import uuid

import requests
from playwright.sync_api import expect

from prefix_proxy import PrefixProxy

SUCCEEDS, DECLINED = "4242424242424242", "4000000000000002"
SERVICES = ["order", "stock", "payment", "notification", "ingress"]
expect.set_options(timeout=20_000)


def place(system, sku: str = "BOOK-1", card: str = SUCCEEDS, wait: int = 0) -> str:
    """An order over HTTP; its id."""
    headers = {"Content-Type": "application/json", **({"Prefer": f"wait={wait}"} if wait else {})}
    body = {"customerId": "c-browser", "items": [{"sku": sku, "quantity": 1}], "payment": {"card": card}}
    response = requests.post(system.base_url + "/orders", json=body, headers=headers, timeout=30)
    assert response.status_code in (200, 202), response.text
    return response.json()["orderId"]


def publish(system, card: str = SUCCEEDS) -> str:
    """An order as `redis-cli PUBLISH order.created` (a bare payload); its id."""
    order_id = f"cli-{uuid.uuid4().hex[:12]}"
    payload = {"orderId": order_id, "customerId": "c-cli", "items": [{"sku": "BOOK-1", "quantity": 1}],
               "payment": {"card": card}}
    assert int(system.cli("PUBLISH", "order.created", json.dumps(payload))) >= 3
    return order_id


def eventually(condition, failure: str, within: float = 20) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.1)


def open_dashboard(page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#feed-state")).to_have_attribute("data-state", "live")


def test_the_ingress_listens_to_every_channel_only_while_a_dashboard_is_open(system, browser):
    assert system.cli("PUBSUB", "NUMPAT") == "0", "the ingress watches every channel without a dashboard"
    first, second = browser.new_page(), browser.new_page()
    open_dashboard(first, system.base_url + "/")
    open_dashboard(second, system.base_url + "/")
    eventually(lambda: system.cli("PUBSUB", "NUMPAT") == "1", "two dashboards should share one pattern watch")
    first.close()
    time.sleep(0.5)
    assert system.cli("PUBSUB", "NUMPAT") == "1", "the watch stopped while a dashboard was still open"
    second.close()
    eventually(lambda: system.cli("PUBSUB", "NUMPAT") == "0", "the watch did not stop with the last dashboard")


def test_the_system_panel_shows_every_service_with_its_instances(system, page, screenshot):
    open_dashboard(page, system.base_url + "/")
    expect(page.locator("#overall")).to_have_attribute("data-status", "ok")
    for name in SERVICES:
        expect(page.locator(f'#services li[data-service="{name}"]')).to_have_attribute("data-status", "up")
        expect(page.locator(f'#flow-graph .node[data-service="{name}"]')).to_have_attribute("data-status", "up")
    expect(page.locator('#services li[data-service="notification"]')).to_contain_text(f"pid {system.notification.pid}")
    expect(page.locator('#services li[data-service="order"]')).to_contain_text(f"pid {system.process.pid}")
    expect(page.locator("#redis")).to_have_attribute("data-status", "up")
    expect(page.locator("#transport")).to_have_text("pubsub")
    expect(page.locator("#breaker")).to_have_text("closed")
    screenshot("1-system")


def test_orders_over_http_and_redis_cli_appear_in_the_live_events(system, page, screenshot):
    open_dashboard(page, system.base_url + "/")
    over_http, over_cli = place(system), publish(system, card=DECLINED)
    rows = page.locator("#event-rows tr")
    for order_id, final in ((over_http, "order.confirmed"), (over_cli, "order.cancelled")):
        expect(rows.and_(page.locator(f'[data-order="{order_id}"][data-type="{final}"]'))).to_have_count(1)
        expect(rows.and_(page.locator(f'[data-order="{order_id}"][data-type="order.created"]'))).to_have_count(1)
    expect(rows.and_(page.locator(f'[data-order="{over_cli}"][data-type="stock.released"]'))).to_have_count(1)
    confirmed = rows.and_(page.locator(f'[data-order="{over_http}"][data-type="order.confirmed"]'))
    expect(confirmed.locator("td").nth(1)).to_have_class("progress")
    expect(confirmed.locator("td").nth(3)).to_have_text("order")
    screenshot("2-live-events")


def test_edge_rates_and_figures_move_as_orders_flow(system, page, screenshot):
    open_dashboard(page, system.base_url + "/")
    rate = page.locator('#flow-graph text.rate[data-type="order.created"][data-service="stock"]')
    handled = page.locator('#figures tr[data-service="stock"] td').nth(1)
    expect(page.locator('#figures tr[data-service="stock"]')).to_have_count(1)
    before = int(handled.inner_text())
    deadline = time.monotonic() + 30
    while float(rate.get_attribute("data-rate") or 0) <= 0:
        assert time.monotonic() < deadline, "the order.created → stock rate never rose above 0"
        place(system)
        time.sleep(0.2)
    eventually(lambda: int(handled.inner_text()) > before, "the stock service's handled count did not grow")
    expect(page.locator("#orders-chart polyline.progress")).to_have_count(1)
    expect(rate).to_contain_text("order.created")
    screenshot("3-flow")


def test_an_order_placed_from_the_form_runs_to_confirmed_on_its_timeline(system, page, screenshot):
    open_dashboard(page, system.base_url + "/")
    page.select_option("#place-sku", "MUG-1")
    page.fill("#place-quantity", "2")
    page.select_option("#place-card", SUCCEEDS)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#place-result")).to_contain_text("accepted")
    order_id = page.locator("#place-result").get_attribute("data-order")
    expect(page.locator("#order-status strong")).to_have_attribute("data-status", "confirmed")
    timeline = page.locator("#timeline li")
    expect(timeline.first).to_have_attribute("data-type", "order.created")
    expect(timeline.and_(page.locator('[data-type="order.confirmed"]'))).to_have_count(1)
    expect(timeline.and_(page.locator('[data-type="notification.sent"]'))).to_have_count(1)
    expect(timeline.nth(1)).to_contain_text("after order.created")
    record = requests.get(f"{system.base_url}/orders/{order_id}", timeout=10).json()
    assert record["status"] == "confirmed" and record["items"] == [{"sku": "MUG-1", "quantity": 2}]
    screenshot("4-order-timeline")


def test_an_order_is_shown_by_keyboard_or_from_the_live_list(system, page):
    open_dashboard(page, system.base_url + "/")
    declined = publish(system, card=DECLINED)
    row = page.locator(f'#event-rows tr[data-order="{declined}"][data-type="order.created"]')
    row.get_by_role("button").click()
    expect(page.locator("#order-status strong")).to_have_attribute("data-status", "cancelled")
    expect(page.locator('#timeline li[data-type="stock.released"] span').nth(2)).to_have_class("compensation")
    confirmed = place(system, wait=10)
    page.locator("#order-id").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(confirmed)
    page.keyboard.press("Enter")
    expect(page.locator("#order-status strong")).to_have_attribute("data-status", "confirmed")
    expect(page.locator("#order-status")).to_contain_text(confirmed)


def test_the_live_list_filters_and_pauses(system, page, screenshot):
    open_dashboard(page, system.base_url + "/")
    page.fill("#filter-type", "payment")
    filtered = place(system)
    expect(page.locator(f'#event-rows tr[data-order="{filtered}"]')).to_have_count(1)
    types = page.locator("#event-rows tr").evaluate_all("rows => rows.map(row => row.dataset.type)")
    assert types and all("payment" in type for type in types), types
    page.fill("#filter-type", "")
    page.fill("#filter-order", filtered)
    expect(page.locator("#event-rows tr")).to_have_count(5)  # created, reserved, completed, confirmed, sent
    page.fill("#filter-order", "")
    pause = page.locator("#pause")
    pause.focus()
    page.keyboard.press("Enter")
    expect(pause).to_have_attribute("aria-pressed", "true")
    held = place(system, wait=10)
    expect(page.locator("#paused-note")).to_contain_text("new")
    assert page.locator(f'#event-rows tr[data-order="{held}"]').count() == 0, "events were added while paused"
    screenshot("5-paused")
    page.keyboard.press("Enter")
    expect(pause).to_have_attribute("aria-pressed", "false")
    expect(page.locator(f'#event-rows tr[data-order="{held}"]')).to_have_count(5)


def test_a_dead_letter_appears_and_goes_when_replayed(system, page, screenshot):
    open_dashboard(page, system.base_url + "/")
    bad = f"bad-{uuid.uuid4().hex[:8]}"
    system.cli("PUBLISH", "order.created", json.dumps({"orderId": bad}))
    letters = page.locator("#deadletter-list li", has_text=bad)
    expect(letters).to_have_count(3)  # the order, stock and payment services each gave up on it
    expect(letters.first.locator(".reason")).to_contain_text("customerId is missing")
    screenshot("6-dead-letter")
    letter_id = letters.first.get_attribute("data-id")
    letter = page.locator(f'#deadletter-list li[data-id="{letter_id}"]')
    letter.get_by_role("button", name=f"Replay {letter_id}").click()
    expect(page.locator("#confirm-replay")).to_be_visible()
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#confirm-replay")).to_be_hidden()
    page.wait_for_timeout(3500)  # one refresh of the list later, the letter is still there
    expect(letter).to_have_count(1)
    letter.get_by_role("button", name=f"Replay {letter_id}").click()
    page.locator("#confirm-ok").click()
    page.mouse.move(0, 0)  # off the live list, which the pointer pauses
    expect(letter).to_have_count(0)
    # Published again on its channel: the live list shows it a second time, and the services, which
    # still cannot read it, dead-letter it again under new ids.
    expect(page.locator(f'#event-rows tr[data-order="{bad}"]')).to_have_count(2)
    expect(letters).to_have_count(5)
    screenshot("7-replayed")


def test_a_slow_reader_is_cut_and_the_bus_goes_on(system):
    with socket.create_connection(("127.0.0.1", system.http_port), timeout=30) as reader:
        reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        reader.sendall(b"GET /dashboard/events HTTP/1.1\r\nHost: test\r\n\r\n")
        eventually(lambda: system.cli("PUBSUB", "NUMPAT") == "1", "the event stream did not start")
        # 8 MB on a channel only the dashboard's pattern hears, while the reader reads nothing.
        commands = "".join(f"PUBLISH dashboard.load {'x' * 40_000}-{index}\n" for index in range(200))
        subprocess.run([shutil.which("redis-cli") or "/usr/bin/redis-cli", "-p", str(system.redis_port)],
                       input=commands, capture_output=True, text=True, timeout=60, check=True)
        # Orders still run while the reader is stuck.
        assert requests.get(f"{system.base_url}/orders/{place(system, wait=10)}", timeout=10).json()["status"] \
            == "confirmed"
        received = 0
        while chunk := reader.recv(65536):
            received += len(chunk)
    assert received < 200 * 40_000, "the slow reader was sent everything instead of being cut"
    eventually(lambda: system.cli("PUBSUB", "NUMPAT") == "0", "the watch did not stop after the cut")


def test_the_page_works_behind_a_path_prefix(system, page):
    proxy = PrefixProxy(system.http_port)
    try:
        open_dashboard(page, proxy.url)
        expect(page.locator("#overall")).to_have_attribute("data-status", "ok")
        page.get_by_role("button", name="Place order").click()
        expect(page.locator("#order-status strong")).to_have_attribute("data-status", "confirmed")
        expect(page.locator("#event-rows tr[data-type='order.confirmed']").first).to_be_visible()
        expect(page.locator("#deadletter-list li").first).to_be_visible()
    finally:
        page.close()
        proxy.stop()


def test_the_page_says_degraded_when_a_service_stops(system, page, screenshot):
    open_dashboard(page, system.base_url + "/")
    expect(page.locator("#overall")).to_have_attribute("data-status", "ok")
    system.stop_notification()
    expect(page.locator("#overall")).to_have_attribute("data-status", "degraded")
    expect(page.locator('#services li[data-service="notification"]')).to_have_attribute("data-status", "down")
    expect(page.locator('#flow-graph .node[data-service="notification"]')).to_have_attribute("data-status", "down")
    screenshot("8-degraded")
