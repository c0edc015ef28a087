// Generated from docs/ by scripts/embed-docs.py (`make docs`): do not edit by hand.

/// The contract's machine-readable documents, as compiled into the binary.
public enum ContractDocuments {
    /// `docs/openapi.yaml`: The HTTP API (OpenAPI 3.1).
    public static let openAPI = #"""
openapi: 3.1.0
info:
  title: Switchboard HTTP ingress
  version: 1.0.0
  summary: Place orders; read orders, stock, health and metrics; watch it all on a dashboard.
  description: |
    The HTTP API of Switchboard's ingress (`switchboard run ingress`, port 8080 by default). An accepted
    order becomes one `order.created` event (see `asyncapi.yaml`); the services run it to `confirmed` or
    `cancelled`. The ingress publishes nothing else, but a dead letter replayed on request
    (`POST /deadletters/{id}/replay`). Every error is `application/problem+json`
    (RFC 9457): besides the statuses listed per operation, an unknown path is `404` and a known path
    with another method is `405` with `Allow`. `docs/http.md` tells the same in prose.
servers:
  - url: http://127.0.0.1:8080
    description: a local `switchboard run` (`--http-port` changes the port)
tags:
  - name: orders
  - name: stock
  - name: operations
  - name: contract
  - name: dashboard
paths:
  /orders:
    post:
      tags: [orders]
      operationId: createOrder
      summary: Place an order
      description: |
        Validates the body (every bad field is named in a `422`), publishes one `order.created` and
        answers `202` with the new order's id. With `Prefer: wait=N` the answer waits up to N seconds
        (at most 30) for the order to be confirmed or cancelled and is then `200` with the order. A
        well-formed SKU that is not in the catalog is accepted: the order is cancelled with
        `unknown_sku` by the stock service.
      parameters:
        - $ref: '#/components/parameters/Prefer'
        - $ref: '#/components/parameters/IdempotencyKey'
        - $ref: '#/components/parameters/Traceparent'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/OrderRequest'
            examples:
              confirmed:
                summary: an order that is confirmed (2 × 1250 cents charged)
                value:
                  customerId: c-1
                  items: [{sku: BOOK-1, quantity: 2}]
                  payment: {card: '4242424242424242'}
      responses:
        '200':
          description: 'With `Prefer: wait=N`, the order once it is confirmed or cancelled within N seconds.'
          headers:
            Location:
              $ref: '#/components/headers/Location'
            Preference-Applied:
              $ref: '#/components/headers/PreferenceApplied'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Order'
          links:
            GetOrder:
              $ref: '#/components/links/GetOrder'
            GetOrderEvents:
              $ref: '#/components/links/GetOrderEvents'
        '202':
          description: |
            Accepted: `order.created` was published. Also the answer to `Prefer: wait=N` when the order
            is not final after N seconds (then `status` says where it stands), and to a repeated
            `Idempotency-Key` with the same body (the first order's id; nothing is published).
          headers:
            Location:
              $ref: '#/components/headers/Location'
            Preference-Applied:
              $ref: '#/components/headers/PreferenceApplied'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/OrderAccepted'
          links:
            GetOrder:
              $ref: '#/components/links/GetOrder'
            GetOrderEvents:
              $ref: '#/components/links/GetOrderEvents'
        '400':
          description: The body is not JSON, or `Idempotency-Key` is empty or over 200 characters.
          content:
            application/problem+json:
              schema:
                $ref: '#/components/schemas/Problem'
        '413':
          description: The body is over `http.maximumBodyBytes` (64 KiB by default).
          content:
            application/problem+json:
              schema:
                $ref: '#/components/schemas/Problem'
        '415':
          description: The `Content-Type` is not `application/json`.
          content:
            application/problem+json:
              schema:
                $ref: '#/components/schemas/Problem'
        '422':
          description: |
            A JSON body with invalid fields (`errors` names each one, e.g. `items[0].sku`), or an
            `Idempotency-Key` used before with another body (no `errors`).
          content:
            application/problem+json:
              schema:
                $ref: '#/components/schemas/Problem'
              examples:
                invalid:
                  value:
                    type: https://switchboard.dev/problems/invalid-order
                    title: Invalid Order
                    status: 422
                    detail: 2 field(s) are invalid
                    errors:
                      - {field: 'items[0].sku', message: "must be 1 to 64 letters, digits, '-', '_' or '.'"}
                      - {field: payment.card, message: must be 12 to 19 digits}
        '503':
          $ref: '#/components/responses/Unavailable'
  /orders/{id}:
    get:
      tags: [orders]
      operationId: getOrder
      summary: Read an order
      description: |
        The order as the order service records it; an order the ingress accepted a moment ago is
        already readable as `pending`.
      parameters:
        - $ref: '#/components/parameters/OrderId'
      responses:
        '200':
          description: The order.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Order'
        '404':
          $ref: '#/components/responses/NotFound'
        '503':
          $ref: '#/components/responses/Unavailable'
  /orders/{id}/events:
    get:
      tags: [orders]
      operationId: getOrderEvents
      summary: Follow an order's events
      description: |
        Server-sent events: the order's events so far (from its trace log), then live ones; the stream
        ends after `order.confirmed` or `order.cancelled` (or after 5 minutes). Each message has
        `id:` (the event id), `event:` (the event type) and `data:` (the CloudEvents envelope as one
        line of JSON, as described in `asyncapi.yaml`). An `order.created` published with a card
        number on the bus shows it masked to its last four digits (`"card":"************4242"`), as
        the trace log keeps it; the ingress's orders carry a vault token instead.
      parameters:
        - $ref: '#/components/parameters/OrderId'
      responses:
        '200':
          description: The event stream.
          headers:
            Cache-Control:
              $ref: '#/components/headers/NoCache'
          content:
            text/event-stream:
              schema:
                type: object
                description: |
                  One server-sent event (the stream holds one per event of the order): `id: <event id>`,
                  `event: <type>`, `data: <envelope JSON>`, then a blank line.
                required: [id, event, data]
                properties:
                  id:
                    type: string
                    minLength: 1
                  event:
                    type: string
                    enum: [order.created, stock.reserved, stock.rejected, payment.completed, payment.failed,
                           order.confirmed, order.cancelled, stock.released, notification.sent]
                  data:
                    type: string
                    contentMediaType: application/json
                    description: The CloudEvents envelope, one line of JSON (`CloudEvent` in asyncapi.yaml).
              example: |
                id: 6f1c0c1e-8d7a-4d5e-9a61-2b7f0f0f6a11
                event: order.created
                data: {"specversion":"1.0","id":"6f1c0c1e-8d7a-4d5e-9a61-2b7f0f0f6a11","source":"switchboard/ingress","type":"order.created","time":"2026-11-23T10:00:00.123Z","datacontenttype":"application/json","correlationid":"ord_2c9f","data":{"orderId":"ord_2c9f","customerId":"c-1","items":[{"sku":"BOOK-1","quantity":1}],"payment":{"card":"4242424242424242"}}}

        '404':
          $ref: '#/components/responses/NotFound'
        '503':
          $ref: '#/components/responses/Unavailable'
  /orders/{id}/trace:
    get:
      tags: [dashboard]
      operationId: getOrderTrace
      summary: An order's timeline, as `switchboard trace` shows it
      description: |
        The order's status and the events of its chain so far, from its trace log, in causal order,
        each as it was published. The dashboard shows it as a timeline (which service sent each event,
        what caused it, the time between hops) and reads it again as the order's events pass.
      parameters:
        - $ref: '#/components/parameters/OrderId'
      responses:
        '200':
          description: The order's trace.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/OrderTrace'
        '404':
          $ref: '#/components/responses/NotFound'
        '503':
          $ref: '#/components/responses/Unavailable'
  /stock/{sku}:
    get:
      tags: [stock]
      operationId: getStock
      summary: Read a product's stock
      parameters:
        - name: sku
          in: path
          required: true
          description: A SKU of the catalog (`Config/catalog.json`).
          schema:
            $ref: '#/components/schemas/Sku'
          examples:
            book:
              value: BOOK-1
      responses:
        '200':
          description: The product and its stock levels.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Stock'
        '404':
          $ref: '#/components/responses/NotFound'
        '503':
          $ref: '#/components/responses/Unavailable'
  /health:
    get:
      tags: [operations]
      operationId: getHealth
      summary: Redis's state and each service's live instances
      responses:
        '200':
          description: |
            `ok`: Redis answers and order, stock, payment and notification each have a live instance;
            `overloaded`: the same, but the ingress sheds requests with `503` (a limit is reached, or was
            within the last 2 s). Still `200`: the ingress works at its capacity and a load balancer should
            keep sending it requests.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Health'
        '503':
          description: '`degraded` (a required service has no live instance) or `down` (Redis does not answer).'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Health'
  /metrics:
    get:
      tags: [operations]
      operationId: getMetrics
      summary: Every running process's metrics
      responses:
        '200':
          description: Prometheus text exposition format 0.0.4, each sample labelled with its `instance`.
          content:
            text/plain:
              schema:
                type: string
  /openapi.yaml:
    get:
      tags: [contract]
      operationId: getOpenAPI
      summary: This document
      responses:
        '200':
          description: '`docs/openapi.yaml`, byte for byte.'
          content:
            application/yaml:
              schema:
                type: object
                required: [openapi]
  /asyncapi.yaml:
    get:
      tags: [contract]
      operationId: getAsyncAPI
      summary: The events and channels (AsyncAPI 3.0)
      responses:
        '200':
          description: '`docs/asyncapi.yaml`, byte for byte.'
          content:
            application/yaml:
              schema:
                type: object
                required: [asyncapi]
  /:
    get:
      tags: [dashboard]
      operationId: getDashboard
      summary: The dashboard
      description: |
        One page, live without reloading: the services and their instances, the flow of events with
        rates and latencies, the latest events, an order's timeline, the dead letters, and a form for a
        test order. It loads only `dashboard/dashboard.css` and `dashboard/dashboard.js` from this
        ingress (relative addresses, so it works behind a path prefix; the page's address must then end
        in `/`) and reads the feeds below; nothing on it changes state but placing a test order and
        replaying a dead letter.
      responses:
        '200':
          description: The page (HTML), compiled into the binary from `dashboard/index.html`.
          headers:
            Content-Security-Policy:
              description: Only this ingress may be loaded from or connected to.
              schema:
                type: string
          content:
            text/html:
              schema:
                type: string
  /dashboard/{asset}:
    get:
      tags: [dashboard]
      operationId: getDashboardAsset
      summary: The dashboard's style sheet and script
      parameters:
        - name: asset
          in: path
          required: true
          schema:
            type: string
            enum: [dashboard.css, dashboard.js]
      responses:
        '200':
          description: The file, compiled into the binary from `dashboard/`.
          content:
            text/css:
              schema:
                type: string
            text/javascript:
              schema:
                type: string
        '404':
          $ref: '#/components/responses/NotFound'
  /dashboard/events:
    get:
      tags: [dashboard]
      operationId: streamDashboardEvents
      summary: Every event on the bus, live
      description: |
        Server-sent events: every message published on any channel from now on, for the dashboard's
        live list, sent every 100 ms as one event holding the messages of that time. The stream does
        not end by itself. While at least one such stream is open the ingress watches every channel;
        with none, only the final events of orders.

        Bounded: a browser that lets 4096 messages pile up or falls 1 MiB behind is cut (the stream
        ends; browsers reconnect after `retry`, 1 s) and never slows the bus or other browsers. An idle
        stream sends a comment every 5 s.
      responses:
        '200':
          description: The event stream.
          headers:
            Cache-Control:
              $ref: '#/components/headers/NoCache'
          content:
            text/event-stream:
              schema:
                type: string
                description: |
                  First `retry: 1000` and a comment; then events of one `data:` line per message: the
                  channel (spaces as `_`), a space, and the message exactly as published but for its line
                  breaks, which become spaces (usually CloudEvents JSON; anything else that was
                  published, malformed or not, as it is); then a blank line.
              example: |
                data: order.created {"specversion":"1.0","id":"6f1c0c1e-8d7a-4d5e-9a61-2b7f0f0f6a11","source":"switchboard/ingress","type":"order.created","time":"2026-11-23T10:00:00.123Z","datacontenttype":"application/json","correlationid":"ord_2c9f","data":{"orderId":"ord_2c9f","customerId":"c-1","items":[{"sku":"BOOK-1","quantity":1}],"payment":{"card":"4242424242424242"}}}
                data: order.created {"orderId":"o-5"}

  /dashboard/summary:
    get:
      tags: [dashboard]
      operationId: getDashboardSummary
      summary: The figures of the flow, from every process's metrics
      description: |
        The same figures as `GET /metrics` (every running process's, summed): events handled, failed
        and dead-lettered per service with handling-time quantiles, events handled per type and
        service (the flow's edges), events the ingress published, and orders ended. Counts only grow
        while processes run; rates are the difference between two readings over the time between them.
      responses:
        '200':
          description: The summary.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/DashboardSummary'
  /deadletters:
    get:
      tags: [dashboard]
      operationId: listDeadLetters
      summary: The dead letters, as `switchboard dlq list` shows them
      responses:
        '200':
          description: The stored dead letters, oldest first (at most 10,000).
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [deadLetters]
                properties:
                  deadLetters:
                    type: array
                    items:
                      $ref: '#/components/schemas/DeadLetter'
        '503':
          $ref: '#/components/responses/Unavailable'
  /deadletters/{id}/replay:
    post:
      tags: [dashboard]
      operationId: replayDeadLetter
      summary: Replay one dead letter, as `switchboard dlq replay ID` does
      description: |
        Publishes the dead letter again on its channel, as it was stored (`PUBLISH`, or `XADD` on
        streams), then removes it from the store. It does nothing else; a letter the services still
        cannot read is dead-lettered again under a new id. Dead letters are stored with card numbers
        masked to their last four digits: a letter that held a card number is not replayed (`409`,
        type `masked-card`); its order must be placed again.
      parameters:
        - name: id
          in: path
          required: true
          description: The dead letter's id (its entry id in `switchboard:deadletters`).
          schema:
            type: string
            minLength: 1
      responses:
        '200':
          description: Replayed and removed.
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [replayed]
                properties:
                  replayed:
                    $ref: '#/components/schemas/DeadLetter'
        '404':
          $ref: '#/components/responses/NotFound'
        '409':
          description: The letter held a card number, stored masked, so it cannot be replayed.
          content:
            application/problem+json:
              schema:
                $ref: '#/components/schemas/Problem'
        '503':
          $ref: '#/components/responses/Unavailable'
components:
  parameters:
    OrderId:
      name: id
      in: path
      required: true
      description: The order id, as `POST /orders` answered it (`ord_` and 32 hex digits) or as given on the bus.
      schema:
        $ref: '#/components/schemas/OrderId'
    Prefer:
      name: Prefer
      in: header
      required: false
      description: |
        `wait=N` (RFC 7240): wait up to N seconds (capped at 30) for the order to be confirmed or
        cancelled. Other preferences, and a `wait` that is not a whole number, are ignored.
      schema:
        type: string
      examples:
        wait:
          value: wait=10
    IdempotencyKey:
      name: Idempotency-Key
      in: header
      required: false
      description: |
        A repeat with the same key and the same body answers with the first order's id and publishes
        nothing; the same key with another body is `422`. Keys are remembered for a day.
      schema:
        type: string
        minLength: 1
        maxLength: 200
    Traceparent:
      name: traceparent
      in: header
      required: false
      description: W3C trace context, carried into `order.created` and every event that follows from it.
      schema:
        type: string
  headers:
    NoCache:
      description: Always `no-cache`.
      schema:
        type: string
        const: no-cache
    Location:
      description: '`/orders/{id}` of the order.'
      required: true
      schema:
        type: string
        pattern: '^/orders/[^/]+$'
    PreferenceApplied:
      description: '`wait=N`: the wait used, when `Prefer: wait` was given.'
      schema:
        type: string
        pattern: '^wait=[0-9]+$'
    RetryAfter:
      description: Seconds to wait before trying again (absent when the ingress is shutting down).
      schema:
        type: string
        pattern: '^[0-9]+$'
  responses:
    NotFound:
      description: No such order, SKU or path.
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
    Unavailable:
      description: |
        Redis is unreachable, no service is subscribed to `order.created` (nothing is recorded as
        accepted), the SKU's stock is not seeded yet, or the ingress is shutting down. Also, at once and
        publishing nothing, when the ingress is overloaded (`type` `https://switchboard.dev/problems/overloaded`):
        it has `http.maximumPendingOrders` orders it has not seen end, `http.maximumEventStreams` event
        streams open, or (on streams) the services' backlog passed `http.maximumBacklog`. Retry after
        `Retry-After` seconds.
      headers:
        Retry-After:
          $ref: '#/components/headers/RetryAfter'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
  links:
    GetOrder:
      operationId: getOrder
      parameters:
        id: '$response.body#/orderId'
    GetOrderEvents:
      operationId: getOrderEvents
      parameters:
        id: '$response.body#/orderId'
  schemas:
    OrderId:
      type: string
      minLength: 1
      maxLength: 200
      description: Opaque; the ingress makes `ord_` and 32 hex digits.
    CustomerId:
      type: string
      minLength: 1
      maxLength: 200
      description: 1 to 200 characters (Unicode code points).
    Sku:
      type: string
      pattern: '^[A-Za-z0-9._-]{1,64}$'
      description: 1 to 64 ASCII letters, digits, `-`, `_` or `.`.
    Card:
      type: string
      pattern: '^[0-9]{12,19}$'
      description: |
        12 to 19 digits. Test cards: `4242424242424242` succeeds, `4000000000000002` is
        `card_declined`, `4000000000009995` is `insufficient_funds`, any other succeeds.
    Quantity:
      type: integer
      minimum: 1
      maximum: 1000000
    Money:
      type: integer
      minimum: 0
      description: Minor units (cents) of `currency`.
    Currency:
      type: string
      pattern: '^[A-Z]{3}$'
      description: ISO 4217 code.
    OrderStatus:
      type: string
      enum: [pending, reserved, confirmed, cancelled]
    CancellationReason:
      type: string
      enum: [out_of_stock, unknown_sku, invalid_order, card_declined, insufficient_funds, invalid_card,
             provider_unavailable, unknown]
      description: The stock rejection or payment failure that cancelled the order.
    OrderItem:
      type: object
      additionalProperties: false
      required: [sku, quantity]
      properties:
        sku:
          $ref: '#/components/schemas/Sku'
        quantity:
          $ref: '#/components/schemas/Quantity'
    OrderRequest:
      type: object
      description: |
        A new order. Members other than these are rejected (`422`, naming the member), so a misspelt
        field never goes unnoticed. Lines of one SKU may repeat; their quantities must add up to at most
        1,000,000, or the stock service rejects the order as `invalid_order`.
      additionalProperties: false
      required: [customerId, items, payment]
      properties:
        customerId:
          $ref: '#/components/schemas/CustomerId'
        items:
          type: array
          minItems: 1
          maxItems: 100
          items:
            $ref: '#/components/schemas/OrderItem'
        payment:
          type: object
          additionalProperties: false
          required: [card]
          properties:
            card:
              $ref: '#/components/schemas/Card'
    OrderAccepted:
      type: object
      additionalProperties: false
      required: [orderId, status]
      properties:
        orderId:
          $ref: '#/components/schemas/OrderId'
        status:
          $ref: '#/components/schemas/OrderStatus'
    Order:
      type: object
      additionalProperties: false
      required: [orderId, customerId, status, reason, items, amount, currency, paymentId, history]
      properties:
        orderId:
          $ref: '#/components/schemas/OrderId'
        customerId:
          description: '`null` while only a cancellation has been seen.'
          oneOf:
            - $ref: '#/components/schemas/CustomerId'
            - type: 'null'
        status:
          $ref: '#/components/schemas/OrderStatus'
        reason:
          description: Why a cancelled order was cancelled; `null` otherwise.
          oneOf:
            - $ref: '#/components/schemas/CancellationReason'
            - type: 'null'
        items:
          type: array
          items:
            type: object
            additionalProperties: false
            required: [sku, quantity]
            properties:
              sku:
                $ref: '#/components/schemas/Sku'
              quantity:
                $ref: '#/components/schemas/Quantity'
        amount:
          description: The charged or chargeable amount, once stock is reserved.
          oneOf:
            - $ref: '#/components/schemas/Money'
            - type: 'null'
        currency:
          oneOf:
            - $ref: '#/components/schemas/Currency'
            - type: 'null'
        paymentId:
          description: The payment, once charged.
          type: [string, 'null']
        history:
          type: array
          description: The events seen and sent, in the order they were processed.
          items:
            type: object
            additionalProperties: false
            required: [type, id, source, time]
            properties:
              type:
                type: string
                description: The event type (a channel of `asyncapi.yaml`).
              id:
                type: string
              source:
                type: string
              time:
                type: string
                format: date-time
    Stock:
      type: object
      additionalProperties: false
      required: [sku, name, price, currency, available, reserved]
      properties:
        sku:
          $ref: '#/components/schemas/Sku'
        name:
          type: string
        price:
          $ref: '#/components/schemas/Money'
        currency:
          $ref: '#/components/schemas/Currency'
        available:
          type: integer
          minimum: 0
        reserved:
          type: integer
          minimum: 0
    OrderTrace:
      type: object
      additionalProperties: false
      required: [orderId, status, final, events]
      properties:
        orderId:
          type: string
        status:
          $ref: '#/components/schemas/OrderStatus'
        final:
          type: boolean
          description: Whether the order is confirmed or cancelled (later events, e.g. `notification.sent`, may follow).
        events:
          type: array
          description: The events of the order's chain, in causal order, each a CloudEvents envelope (`CloudEvent` in asyncapi.yaml), card numbers masked to their last four digits.
          items:
            type: object
            required: [specversion, id, source, type, time]
    DashboardSummary:
      type: object
      additionalProperties: false
      required: [time, services, edges, published, orders]
      properties:
        time:
          type: string
          format: date-time
        services:
          type: object
          description: By service name; order, stock, payment and notification are always present.
          additionalProperties:
            type: object
            additionalProperties: false
            required: [handled, failed, deadLettered]
            properties:
              handled:
                type: integer
                minimum: 0
              failed:
                type: integer
                minimum: 0
              deadLettered:
                type: integer
                minimum: 0
              latencySeconds:
                type: object
                description: Handling time quantiles, estimated from the histogram's buckets; absent before any event.
                additionalProperties: false
                required: [p50, p95, p99]
                properties:
                  p50:
                    type: number
                    minimum: 0
                  p95:
                    type: number
                    minimum: 0
                  p99:
                    type: number
                    minimum: 0
        edges:
          type: array
          description: Events handled, by type and service, every outcome.
          items:
            type: object
            additionalProperties: false
            required: [type, service, handled]
            properties:
              type:
                type: string
              service:
                type: string
              handled:
                type: integer
                minimum: 0
        published:
          type: object
          description: Events the ingress published, by type.
          additionalProperties:
            type: integer
            minimum: 0
        orders:
          type: object
          description: Orders ended, counted by the final events handled (the most any one service handled).
          additionalProperties: false
          required: [confirmed, cancelled]
          properties:
            confirmed:
              type: integer
              minimum: 0
            cancelled:
              type: integer
              minimum: 0
    DeadLetter:
      type: object
      additionalProperties: false
      required: [id, channel, service, reason, time, payload]
      properties:
        id:
          type: string
        channel:
          type: string
        service:
          type: string
          description: The service that gave up on it.
        reason:
          type: string
        time:
          type: string
          format: date-time
        payload:
          type: string
          description: The message exactly as it arrived (as UTF-8 text).
    Health:
      type: object
      additionalProperties: false
      required: [status, redis, services]
      properties:
        status:
          type: string
          enum: [ok, overloaded, degraded, down]
        redis:
          type: object
          additionalProperties: false
          required: [status]
          properties:
            status:
              type: string
              enum: [up, down]
            latencyMilliseconds:
              type: number
              minimum: 0
            error:
              type: string
            sentinel:
              type: object
              description: With a `redis+sentinel://` URL only; what the Sentinels and the primary they name say.
              additionalProperties: false
              required: [roleConfirmed, replicas, sentinelsReachable, sentinelsUnreachable]
              properties:
                primary:
                  type: string
                  description: The primary's `host:port` as the first Sentinel that answered names it.
                roleConfirmed:
                  type: boolean
                  description: Whether that server answered `ROLE` as the primary.
                replicas:
                  type: array
                  items:
                    type: string
                sentinelsReachable:
                  type: array
                  items:
                    type: string
                sentinelsUnreachable:
                  type: array
                  description: Each Sentinel that did not answer, with why.
                  items:
                    type: string
        services:
          type: object
          description: By service name (order, stock, payment, notification, ingress, …); empty when Redis is down.
          additionalProperties:
            type: object
            additionalProperties: false
            required: [status, instances]
            properties:
              status:
                type: string
                enum: [up, down]
              instances:
                type: array
                items:
                  $ref: '#/components/schemas/Instance'
    Instance:
      type: object
      description: One live instance, from its heartbeat.
      additionalProperties: false
      required: [service, instance, host, pid, startedAt, version, transport]
      properties:
        service:
          type: string
        instance:
          type: string
        host:
          type: string
        pid:
          type: integer
        startedAt:
          type: string
          format: date-time
        version:
          type: string
        transport:
          type: string
          enum: [pubsub, streams]
        details:
          type: object
          description: Service-specific state, e.g. the payment breaker's.
          additionalProperties:
            type: string
    Problem:
      type: object
      description: RFC 9457 problem details.
      required: [type, title, status, detail]
      properties:
        type:
          type: string
          format: uri
          description: '`https://switchboard.dev/problems/<slug>`, e.g. `invalid-order`, `not-found`.'
        title:
          type: string
        status:
          type: integer
          minimum: 400
          maximum: 599
        detail:
          type: string
        errors:
          type: array
          description: For invalid fields, each one.
          items:
            type: object
            additionalProperties: false
            required: [field, message]
            properties:
              field:
                type: string
                description: Where the field is, e.g. `customerId`, `items[0].quantity`, `payment.card`; empty for the body itself.
              message:
                type: string

"""#
    /// `docs/asyncapi.yaml`: The events and channels (AsyncAPI 3.0).
    public static let asyncAPI = #"""
asyncapi: 3.0.0
id: urn:switchboard:saga
info:
  title: Switchboard saga events
  version: 1.0.0
  description: |
    The events of Switchboard's order saga on a Redis broker. Every event is a CloudEvents 1.0 event in
    JSON structured mode (`CloudEvent` below); `type` is the channel's name. Each service receives the
    events it needs and sends the ones it decides; nobody calls anybody. `docs/events.md` tells the
    same in prose, with the flow.

    Consumers validate each event's `data` against the schemas here: a message that is not JSON, is not
    a valid envelope, or whose `data` breaks its schema (a missing or mistyped member, a SKU or card
    outside its pattern, a quantity out of range, an over-long string) is never handled: it goes to
    the dead-letter store (`switchboard:deadletters`) with the raw message, the channel, the service
    and the reason. Members not named here are ignored, so producers may add members.

    A bare JSON object with no `specversion` (what a person types into `redis-cli PUBLISH`) is accepted
    as the `data` of an event whose type is the channel it arrived on.
servers:
  pubsub:
    host: 127.0.0.1:6379
    protocol: redis
    protocolVersion: '7.0'
    title: Redis pub/sub (the default transport)
    description: |
      `PUBLISH`/`SUBSCRIBE` on channels named exactly as the event type; the message is the envelope's
      JSON. At most once: what is published while a subscriber is away is lost to it. Every instance of
      a service receives every event, so run one instance per service.
    x-switchboard-transport:
      name: pubsub
      send: PUBLISH <type> <envelope JSON>
      receive: SUBSCRIBE <type>
      observe: PSUBSCRIBE '*'
  streams:
    host: 127.0.0.1:6379
    protocol: redis
    protocolVersion: '7.0'
    title: Redis streams
    description: |
      One stream per event type, keyed by the type itself; each entry holds the envelope's JSON in the
      field `event`. One consumer group per service (named after the service, created from the start of
      the stream), one consumer per instance: each event is handled by one instance of each service. At
      least once: an entry is acknowledged in the same atomic step as the handler's effects, redelivered
      after a crash (claimed after `streams.claimIdleMilliseconds`), dead-lettered and acknowledged after
      `streams.maximumDeliveries` deliveries. Streams are trimmed once past `streams.maximumLength`,
      only below every group's oldest pending entry. On a Redis Cluster (`redis+cluster://`) each type is
      one stream per partition of the orders, `<type>{pNN}` (e.g. `order.created{p07}`), an event in the
      partition of its `data.orderId`; consumers read every partition (docs/cluster.md).
    x-switchboard-transport:
      name: streams
      send: XADD <type> * event <envelope JSON>
      receive: XREADGROUP GROUP <service> <instance> STREAMS <type> >
      acknowledge: XACK <type> <service> <entry id>
      observe: XRANGE <type> - +
defaultContentType: application/json
channels:
  orderCreated:
    address: order.created
    title: order.created
    description: A new order. The ingress publishes it for every accepted `POST /orders`; anyone may.
    messages:
      orderCreated:
        $ref: '#/components/messages/orderCreated'
  stockReserved:
    address: stock.reserved
    title: stock.reserved
    description: Every item of the order is reserved, priced from the catalog.
    messages:
      stockReserved:
        $ref: '#/components/messages/stockReserved'
  stockRejected:
    address: stock.rejected
    title: stock.rejected
    description: The order cannot be reserved; nothing was reserved.
    messages:
      stockRejected:
        $ref: '#/components/messages/stockRejected'
  paymentCompleted:
    address: payment.completed
    title: payment.completed
    description: The order's amount was charged.
    messages:
      paymentCompleted:
        $ref: '#/components/messages/paymentCompleted'
  paymentFailed:
    address: payment.failed
    title: payment.failed
    description: The charge failed; nothing was charged.
    messages:
      paymentFailed:
        $ref: '#/components/messages/paymentFailed'
  orderConfirmed:
    address: order.confirmed
    title: order.confirmed
    description: The order is done and paid.
    messages:
      orderConfirmed:
        $ref: '#/components/messages/orderConfirmed'
  orderCancelled:
    address: order.cancelled
    title: order.cancelled
    description: The order is cancelled (stock rejected or payment failed).
    messages:
      orderCancelled:
        $ref: '#/components/messages/orderCancelled'
  stockReleased:
    address: stock.released
    title: stock.released
    description: "Compensation: the reservation of a cancelled order was given back."
    messages:
      stockReleased:
        $ref: '#/components/messages/stockReleased'
  notificationSent:
    address: notification.sent
    title: notification.sent
    description: The customer was told of a confirmed or cancelled order.
    messages:
      notificationSent:
        $ref: '#/components/messages/notificationSent'
operations:
  ingressSendsOrderCreated:
    action: send
    title: The ingress publishes order.created
    description: For each accepted `POST /orders` (and nothing else). `switchboard publish` and `redis-cli` may too.
    channel:
      $ref: '#/channels/orderCreated'
    x-switchboard-service: ingress
  stockReceivesOrderCreated:
    action: receive
    title: Stock reserves every item atomically, or rejects the order
    channel:
      $ref: '#/channels/orderCreated'
    x-switchboard-service: stock
    x-switchboard-consumer-group: stock
  paymentReceivesOrderCreated:
    action: receive
    title: Payment keeps the card (its token, or its number) until the amount is known
    channel:
      $ref: '#/channels/orderCreated'
    x-switchboard-service: payment
    x-switchboard-consumer-group: payment
  orderReceivesOrderCreated:
    action: receive
    title: Order records the order as pending
    channel:
      $ref: '#/channels/orderCreated'
    x-switchboard-service: order
    x-switchboard-consumer-group: order
  stockSendsStockReserved:
    action: send
    channel:
      $ref: '#/channels/stockReserved'
    x-switchboard-service: stock
  paymentReceivesStockReserved:
    action: receive
    title: Payment charges the amount
    channel:
      $ref: '#/channels/stockReserved'
    x-switchboard-service: payment
    x-switchboard-consumer-group: payment
  orderReceivesStockReserved:
    action: receive
    title: Order records the reservation and amount
    channel:
      $ref: '#/channels/stockReserved'
    x-switchboard-service: order
    x-switchboard-consumer-group: order
  stockSendsStockRejected:
    action: send
    channel:
      $ref: '#/channels/stockRejected'
    x-switchboard-service: stock
  orderReceivesStockRejected:
    action: receive
    title: Order cancels the order
    channel:
      $ref: '#/channels/stockRejected'
    x-switchboard-service: order
    x-switchboard-consumer-group: order
  paymentSendsPaymentCompleted:
    action: send
    channel:
      $ref: '#/channels/paymentCompleted'
    x-switchboard-service: payment
  orderReceivesPaymentCompleted:
    action: receive
    title: Order confirms the order
    channel:
      $ref: '#/channels/paymentCompleted'
    x-switchboard-service: order
    x-switchboard-consumer-group: order
  paymentSendsPaymentFailed:
    action: send
    channel:
      $ref: '#/channels/paymentFailed'
    x-switchboard-service: payment
  orderReceivesPaymentFailed:
    action: receive
    title: Order cancels the order
    channel:
      $ref: '#/channels/paymentFailed'
    x-switchboard-service: order
    x-switchboard-consumer-group: order
  orderSendsOrderConfirmed:
    action: send
    channel:
      $ref: '#/channels/orderConfirmed'
    x-switchboard-service: order
  stockReceivesOrderConfirmed:
    action: receive
    title: Stock turns the reservation into a sale
    channel:
      $ref: '#/channels/orderConfirmed'
    x-switchboard-service: stock
    x-switchboard-consumer-group: stock
  notificationReceivesOrderConfirmed:
    action: receive
    title: Notification tells the customer
    channel:
      $ref: '#/channels/orderConfirmed'
    x-switchboard-service: notification
    x-switchboard-consumer-group: notification
  orderSendsOrderCancelled:
    action: send
    channel:
      $ref: '#/channels/orderCancelled'
    x-switchboard-service: order
  stockReceivesOrderCancelled:
    action: receive
    title: Stock releases the reservation, if it holds one
    channel:
      $ref: '#/channels/orderCancelled'
    x-switchboard-service: stock
    x-switchboard-consumer-group: stock
  paymentReceivesOrderCancelled:
    action: receive
    title: Payment forgets the card and deletes its vault entry; nothing will be charged
    channel:
      $ref: '#/channels/orderCancelled'
    x-switchboard-service: payment
    x-switchboard-consumer-group: payment
  notificationReceivesOrderCancelled:
    action: receive
    title: Notification tells the customer
    channel:
      $ref: '#/channels/orderCancelled'
    x-switchboard-service: notification
    x-switchboard-consumer-group: notification
  stockSendsStockReleased:
    action: send
    channel:
      $ref: '#/channels/stockReleased'
    x-switchboard-service: stock
  notificationSendsNotificationSent:
    action: send
    channel:
      $ref: '#/channels/notificationSent'
    x-switchboard-service: notification
components:
  messages:
    orderCreated:
      name: order.created
      title: An order was placed
      correlationId:
        $ref: '#/components/correlationIds/order'
      payload:
        $ref: '#/components/schemas/OrderCreatedEvent'
    stockReserved:
      name: stock.reserved
      title: Stock was reserved
      correlationId:
        $ref: '#/components/correlationIds/order'
      payload:
        $ref: '#/components/schemas/StockReservedEvent'
    stockRejected:
      name: stock.rejected
      title: Stock was not reserved
      correlationId:
        $ref: '#/components/correlationIds/order'
      payload:
        $ref: '#/components/schemas/StockRejectedEvent'
    paymentCompleted:
      name: payment.completed
      title: The payment was charged
      correlationId:
        $ref: '#/components/correlationIds/order'
      payload:
        $ref: '#/components/schemas/PaymentCompletedEvent'
    paymentFailed:
      name: payment.failed
      title: The payment failed
      correlationId:
        $ref: '#/components/correlationIds/order'
      payload:
        $ref: '#/components/schemas/PaymentFailedEvent'
    orderConfirmed:
      name: order.confirmed
      title: The order is confirmed
      correlationId:
        $ref: '#/components/correlationIds/order'
      payload:
        $ref: '#/components/schemas/OrderConfirmedEvent'
    orderCancelled:
      name: order.cancelled
      title: The order is cancelled
      correlationId:
        $ref: '#/components/correlationIds/order'
      payload:
        $ref: '#/components/schemas/OrderCancelledEvent'
    stockReleased:
      name: stock.released
      title: A reservation was released
      correlationId:
        $ref: '#/components/correlationIds/order'
      payload:
        $ref: '#/components/schemas/StockReleasedEvent'
    notificationSent:
      name: notification.sent
      title: The customer was notified
      correlationId:
        $ref: '#/components/correlationIds/order'
      payload:
        $ref: '#/components/schemas/NotificationSentEvent'
  correlationIds:
    order:
      description: The order id; the same on every event of one order's chain.
      location: $message.payload#/correlationid
  schemas:
    CloudEvent:
      type: object
      description: |
        A CloudEvents 1.0 envelope in JSON structured mode. Producers write every attribute below
        except those marked optional.
      required: [specversion, id, source, type, data]
      properties:
        specversion:
          type: string
          const: '1.0'
        id:
          type: string
          minLength: 1
          description: Unique per event (a UUID; `bare-…` for a wrapped bare payload).
        source:
          type: string
          minLength: 1
          description: Who produced it, e.g. `switchboard/stock`; `switchboard/bare-payload` for a wrapped bare payload.
        type:
          type: string
          minLength: 1
          description: The event type, equal to the channel it is sent on (else `type_mismatch`).
        time:
          type: string
          format: date-time
          description: When it happened (RFC 3339, UTC, milliseconds). Optional on input.
        datacontenttype:
          type: string
          const: application/json
          description: Optional on input.
        correlationid:
          type: string
          description: The order id; the same on every event of one order's chain. Optional on input.
        causationid:
          type: string
          description: The id of the event that caused this one; absent on the first event of a chain.
        traceparent:
          type: string
          description: W3C trace context (`00-<trace id>-<span id>-<flags>`), carried through when present.
        data:
          description: The payload; its schema depends on `type`.
    OrderId:
      type: string
      minLength: 1
      maxLength: 200
      description: Opaque; the ingress makes `ord_` and 32 hex digits.
    CustomerId:
      type: string
      minLength: 1
      maxLength: 200
      description: 1 to 200 characters (Unicode code points).
    Sku:
      type: string
      pattern: '^[A-Za-z0-9._-]{1,64}$'
      description: 1 to 64 ASCII letters, digits, `-`, `_` or `.`.
    Card:
      type: string
      pattern: '^[0-9]{12,19}$'
      description: 12 to 19 digits.
    Quantity:
      type: integer
      minimum: 1
      maximum: 1000000
    Money:
      type: integer
      minimum: 0
      description: Minor units (cents) of `currency`.
    Currency:
      type: string
      pattern: '^[A-Z]{3}$'
      description: ISO 4217 code (`USD` by default).
    OrderItem:
      type: object
      required: [sku, quantity]
      properties:
        sku:
          $ref: '#/components/schemas/Sku'
        quantity:
          $ref: '#/components/schemas/Quantity'
    OrderItems:
      type: array
      minItems: 1
      maxItems: 100
      items:
        $ref: '#/components/schemas/OrderItem'
    PricedItem:
      type: object
      required: [sku, quantity, unitPrice]
      properties:
        sku:
          $ref: '#/components/schemas/Sku'
        quantity:
          $ref: '#/components/schemas/Quantity'
        unitPrice:
          $ref: '#/components/schemas/Money'
    OrderCreated:
      type: object
      description: |
        The order. Lines of one SKU may repeat; if their quantities add up to more than 1,000,000 the
        stock service rejects the order as `invalid_order`. A well-formed SKU that is not in the catalog
        is rejected as `unknown_sku`.
      required: [orderId, customerId, items, payment]
      properties:
        orderId:
          $ref: '#/components/schemas/OrderId'
        customerId:
          $ref: '#/components/schemas/CustomerId'
        items:
          $ref: '#/components/schemas/OrderItems'
        payment:
          type: object
          description: |
            How the order is paid: either a vault token with the card's last four digits, which is what
            the ingress publishes, or the card number itself, accepted for testing with `redis-cli` and
            treated as before, never both. The ingress keeps the card number in the Redis string
            `vault:card:{pNN}:<token>` (written in the same atomic step as the event, readable by the payment
            service's user only), which expires after 15 minutes and is deleted when the charge settles,
            approved or not, or the payment is voided; a token whose entry is gone fails the payment as
            `invalid_card`.
          anyOf:
            - required: [token, last4]
            - required: [card]
          not:
            required: [card, token]
          properties:
            card:
              $ref: '#/components/schemas/Card'
            token:
              type: string
              minLength: 1
              maxLength: 200
              description: The card's vault token, `tok_` and 32 hex digits from the ingress.
            last4:
              type: string
              pattern: '^[0-9]{4}$'
              description: The card's last four digits.
    StockReserved:
      type: object
      required: [orderId, customerId, items, amount, currency]
      properties:
        orderId:
          $ref: '#/components/schemas/OrderId'
        customerId:
          $ref: '#/components/schemas/CustomerId'
        items:
          type: array
          minItems: 1
          maxItems: 100
          description: The order's lines, merged per SKU, each priced from the catalog.
          items:
            $ref: '#/components/schemas/PricedItem'
        amount:
          $ref: '#/components/schemas/Money'
        currency:
          $ref: '#/components/schemas/Currency'
    StockRejected:
      type: object
      required: [orderId, reason]
      properties:
        orderId:
          $ref: '#/components/schemas/OrderId'
        reason:
          type: string
          enum: [out_of_stock, unknown_sku, invalid_order]
        sku:
          description: The SKU to blame (`out_of_stock`, `unknown_sku`); absent for `invalid_order`.
          $ref: '#/components/schemas/Sku'
    PaymentCompleted:
      type: object
      required: [orderId, paymentId, amount, currency]
      properties:
        orderId:
          $ref: '#/components/schemas/OrderId'
        paymentId:
          type: string
          minLength: 1
          maxLength: 200
        amount:
          $ref: '#/components/schemas/Money'
        currency:
          $ref: '#/components/schemas/Currency'
    PaymentFailed:
      type: object
      required: [orderId, reason]
      properties:
        orderId:
          $ref: '#/components/schemas/OrderId'
        reason:
          type: string
          enum: [card_declined, insufficient_funds, invalid_card, provider_unavailable]
    OrderConfirmed:
      type: object
      required: [orderId, customerId, amount, currency]
      properties:
        orderId:
          $ref: '#/components/schemas/OrderId'
        customerId:
          $ref: '#/components/schemas/CustomerId'
        amount:
          $ref: '#/components/schemas/Money'
        currency:
          $ref: '#/components/schemas/Currency'
    OrderCancelled:
      type: object
      required: [orderId, customerId, reason]
      properties:
        orderId:
          $ref: '#/components/schemas/OrderId'
        customerId:
          $ref: '#/components/schemas/CustomerId'
        reason:
          type: string
          description: The `stock.rejected` or `payment.failed` reason that cancelled the order.
          enum: [out_of_stock, unknown_sku, invalid_order, card_declined, insufficient_funds, invalid_card,
                 provider_unavailable, unknown]
    StockReleased:
      type: object
      required: [orderId, items]
      properties:
        orderId:
          $ref: '#/components/schemas/OrderId'
        items:
          description: What the reservation held, merged per SKU.
          $ref: '#/components/schemas/OrderItems'
    NotificationSent:
      type: object
      required: [customerId, orderId, channel, template, message]
      properties:
        customerId:
          $ref: '#/components/schemas/CustomerId'
        orderId:
          $ref: '#/components/schemas/OrderId'
        channel:
          type: string
          enum: [email, sms, push]
        template:
          type: string
          enum: [order-confirmed, order-cancelled]
        message:
          type: string
          minLength: 1
    OrderCreatedEvent:
      allOf:
        - $ref: '#/components/schemas/CloudEvent'
        - properties:
            type: {const: order.created}
            data: {$ref: '#/components/schemas/OrderCreated'}
    StockReservedEvent:
      allOf:
        - $ref: '#/components/schemas/CloudEvent'
        - properties:
            type: {const: stock.reserved}
            data: {$ref: '#/components/schemas/StockReserved'}
    StockRejectedEvent:
      allOf:
        - $ref: '#/components/schemas/CloudEvent'
        - properties:
            type: {const: stock.rejected}
            data: {$ref: '#/components/schemas/StockRejected'}
    PaymentCompletedEvent:
      allOf:
        - $ref: '#/components/schemas/CloudEvent'
        - properties:
            type: {const: payment.completed}
            data: {$ref: '#/components/schemas/PaymentCompleted'}
    PaymentFailedEvent:
      allOf:
        - $ref: '#/components/schemas/CloudEvent'
        - properties:
            type: {const: payment.failed}
            data: {$ref: '#/components/schemas/PaymentFailed'}
    OrderConfirmedEvent:
      allOf:
        - $ref: '#/components/schemas/CloudEvent'
        - properties:
            type: {const: order.confirmed}
            data: {$ref: '#/components/schemas/OrderConfirmed'}
    OrderCancelledEvent:
      allOf:
        - $ref: '#/components/schemas/CloudEvent'
        - properties:
            type: {const: order.cancelled}
            data: {$ref: '#/components/schemas/OrderCancelled'}
    StockReleasedEvent:
      allOf:
        - $ref: '#/components/schemas/CloudEvent'
        - properties:
            type: {const: stock.released}
            data: {$ref: '#/components/schemas/StockReleased'}
    NotificationSentEvent:
      allOf:
        - $ref: '#/components/schemas/CloudEvent'
        - properties:
            type: {const: notification.sent}
            data: {$ref: '#/components/schemas/NotificationSent'}

"""#
}
