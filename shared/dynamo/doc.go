// Package dynamo is the store of the inbox: every account's inboxes, channels, contacts,
// conversations, messages, users, teams, saved replies, waiting queues and tickets in the one DynamoDB table of template.yaml (keys pk/sk;
// index gsi1 on gsi1pk/gsi1sk, all attributes, for channels; the conversation lists gsi2..gsi4
// on gsi2pk..gsi4pk and the shared sort key lsk, keys only; a contact's conversations gsi5 on
// gsi5pk/gsi5sk, keys only; TTL attribute ttl).
//
// # Keys
//
// Every key of account data starts with the account id (A#{acct}), so that no query or read
// built from one account's id can reach another's items. The only keys without it are the
// channel item — webhooks carry nothing but the channel id, a random 128-bit value — the
// deployment-wide claim on a provider key, a WebSocket connection by id — API Gateway's
// $disconnect and frames carry nothing else; the item holds its account — and the
// waiting-account markers: the scheduled drain
// that runs every minute starts from no account at all, so it lists the accounts with waiting
// conversations from one deployment-wide partition; a marker holds an account id and counters,
// none of the account's data. Ids must not contain '#', the separator.
//
//	Item / access pattern                 pk                                   sk                           index keys, attributes
//	------------------------------------  -----------------------------------  ---------------------------  -------------------------------------------------
//	Inbox                                 A#{acct}                             IB#{inboxId}
//	  list an account's inboxes           Query pk = A#{acct}, begins_with(sk, "IB#")
//	  rename an inbox                     UpdateItem SET name, attribute_exists(pk) (never creates one)
//	User                                  A#{acct}                             USER#{userId}                profile; load (open conversations assigned,
//	                                                                                                        kept by the store), lastAssignedAt; version
//	  list an account's users             Query pk = A#{acct}, begins_with(sk, "USER#")
//	  the users a rule names (routing)    BatchGetItem (GetUsers), eventually consistent: the assignment's
//	                                        condition checks capacity, so a stale load is harmless (the
//	                                        router keeps them while RoutingVersion is unchanged)
//	  update profile                      UpdateItem conditional on version; never touches load/lastAssignedAt
//	Routing version                       A#{acct}                             ROUTINGV                     v (number)
//	  a change of users, teams or rules   UpdateItem ADD v 1 after CreateUser, UpdateUser, CreateTeam,
//	                                        UpdateTeam, SetRoutingRules (not after load changes)
//	  is what a router keeps still        GetItem, eventually consistent (RoutingVersion): shared/assign
//	    current?                            keeps rules, users and teams while it stays the same
//	Team                                  A#{acct}                             TEAM#{teamId}                name, userIds
//	  list an account's teams             Query pk = A#{acct}, begins_with(sk, "TEAM#")
//	  the teams a rule names (routing)    BatchGetItem (GetTeams), eventually consistent
//	Ticket (id = its conversation's id:   A#{acct}                             TICKET#{convId}              conversationId, contactId, pipeline, stage,
//	  one ticket per conversation)                                                                          ownerUserId, createdAt, updatedAt
//	  create                              transaction: put (attribute_not_exists) + contact ADD ticketCount 1
//	                                        (condition ticketCount < max) + condition check on the conversation
//	  list (newest first, by pipeline /   Query pk = A#{acct}, begins_with(sk, "TICKET#") with a filter, sorted
//	    stage)                              in memory (no index yet)
//	Saved reply (shared by the team)      A#{acct}                             REPLY#{replyId}              name, shortcut, text, inboxId, createdBy,
//	                                                                                                        createdAt, updatedAt, version
//	Shortcut claim                        A#{acct}                             REPLYKEY#{shortcut}          replyId
//	  create                              transaction: put reply + put claim (both attribute_not_exists):
//	                                        a taken shortcut cancels it (EConflict); 2 × 2 WCU
//	  list (the composer's picker)        Query pk = A#{acct}, begins_with(sk, "REPLY#") (not the claims)
//	  update                              Put conditional on version and the shortcut read (1 WCU); a new
//	                                        shortcut moves the claim: transaction of put, delete old claim,
//	                                        put new claim (attribute_not_exists)
//	  delete                              GetItem, then transaction: delete reply (shortcut unchanged) +
//	                                        delete its claim
//	Channel                               CH#{chId}                            CH                           gsi1pk A#{acct}#CHANNELS
//	                                                                                                        gsi1sk {SortableTime(createdAt)}#{chId}
//	                                                                                                        accountId; providerKey; twilio, messenger,
//	                                                                                                        whatsapp (maps, public settings);
//	                                                                                                        routing (map, SetRoutingRules only);
//	                                                                                                        secrets (binary, sealed JSON, aad "{acct}/{chId}")
//	  get by id (webhook intake)          GetItem CH#{chId}/CH; account-scoped reads also check accountId
//	  routing rules (routing)             GetItem CH#{chId}/CH, eventually consistent, accountId and routing
//	                                        only (RoutingRules: the router caches the rest of the channel,
//	                                        and the rules while RoutingVersion is unchanged)
//	  list an account's channels          Query gsi1 gsi1pk = A#{acct}#CHANNELS (oldest first)
//	  update                              Put, conditional on accountId and the providerKey read; a changed
//	                                        key moves the claim (delete old, put new) in the same transaction
//	  delete                              delete the channel and its claim in one transaction
//	Provider key claim                    PK#{type}#{providerKey}              PK                           accountId, channelId
//	  one provider key, one channel       written with the channel in one transaction, attribute_not_exists
//	  channel by page id / phone number   GetItem claim → GetItem channel (Meta intake: the webhook
//	    id (Meta intake)                    names the page or number, not the channel)
//	Contact                               A#{acct}#CT#{contactId}              CT
//	                                                                                                        psid ("{pageId}:{psid}") when known;
//	                                                                                                        ownerId; ticketCount (CreateTicket);
//	                                                                                                        language (catalogue tag, when known)
//	Contact lookup by address             A#{acct}#PSID#{pageId}:{psid}        PSID                         contactId; hints (SetOpenHint, or CreateContact
//	                                      A#{acct}#PHONE#{e164}                PHONE                          in the lookup item's put for a new contact):
//	                                      A#{acct}#EMAIL#{lowercased email}    EMAIL                          open#{inboxId} = "{convId}#{chId}"
//	                                                                                                          (the open conversation), named (bool),
//	                                                                                                          language (the contact's, when recorded);
//	                                                                                                          firstConv (the conversation a new contact
//	                                                                                                          was created with, not in gsi5; never changed)
//	                                      A#{acct}#UNVERIFIED#{lowercased      UNVERIFIED                   contactId of the contact of mail whose sender
//	                                        email}                                                            SES did not authenticate (kept apart)
//	  find or create by address           GetItem lookup item (PSID, else phone, else email) → contact;
//	                                        else put the contact, then the lookup item (both
//	                                        attribute_not_exists; single writes: a contact whose lookup
//	                                        lost the race is deleted, one a failure left without a lookup
//	                                        is unreachable); the router's new contact's lookup item
//	                                        carries the hint of the conversation it opens next, chosen
//	                                        before (no SetOpenHint write; a hint naming a conversation
//	                                        not written yet, or never, fails AppendToOpen: the message
//	                                        looks the conversation up); a missing name is filled in with a
//	                                        conditional update (only while still empty); a sender's
//	                                        language (chat widget, form page) is SET on the contact only
//	                                        when it differs from the contact's (InboundState's hint
//	                                        tells the router when it may differ: no write otherwise).
//	  set a contact's language (API)      UpdateItem SET/REMOVE language (attribute_exists)
//	                                        CreateContact: the writes first, the reads on a conflict
//	  inbound message (InboundState)      BatchGetItem, eventually consistent, of the provider marker and
//	                                        the lookup item: duplicate? contact? open conversation (hint)?
//	Name word (search by name)            A#{acct}#NAMES                       {word}#{contactId}           contactId, words (all the name's words),
//	                                                                                                        firstConv (the lookup item's, when it has one)
//	                                                                                                        word = inbox.NameWords: folded (lower
//	                                                                                                        case, no accents), at most 6 a name
//	  name stored (new contact, or a      BatchWriteItem before the contact's name is written (1 WCU a word;
//	    name filled in)                     none for a contact without a name; no delete: a contact's name
//	                                        is never changed once set)
//	  contacts by a prefix of any word    Query pk, begins_with(sk, longest query word), eventually
//	    of the name                         consistent, pages of 100; the other words checked on words
//	  contact by phone or email (search)  BatchGetItem of the lookup items (PHONE; EMAIL and UNVERIFIED)
//	Conversation                          A#{acct}#CV#{convId}                 CV                           version (optimistic locking)
//	  (under 1 KB: a write costs 1 WCU                                                                      account and conversation ids: from pk only
//	  per started KB; conversationItem,                                                                     inboxId (gsi2 projects it), contactId, status,
//	  TestConversationItemSize)                                                                             assigneeId ("" too: conditions compare it)
//	                                                                                                        short names: ch, ty (channel id, type), cn,
//	                                                                                                          cp, ce (contact name, phone, email), pv
//	                                                                                                          (preview, ≤ 100 bytes), ca (createdAt; when
//	                                                                                                          gsi5sk holds it, only cns: the ns past it),
//	                                                                                                          lmn (nanoseconds past lastSort); items
//	                                                                                                          written before hold accountId, id,
//	                                                                                                          channelId, channelType, contactName,
//	                                                                                                          contactPhone, contactEmail, lastMessageAt,
//	                                                                                                          lastInboundAt, lastInboundSort,
//	                                                                                                          preview, createdAt: read, removed when
//	                                                                                                          rewritten
//	                                                                                                        lis (compactTime(lastInboundAt): 13 base-36
//	                                                                                                          digits of Unix ns; only moves forward;
//	                                                                                                          absent until the contact writes)
//	                                                                                                        waitSK (sk of its waiting item, when waiting)
//	                                                                                                        lastSort (SortableTime(lastMessageAt): only
//	                                                                                                          moves forward)
//	                                                                                                        gsi2pk A#{acct}#AS#{assigneeId or "-"}#{status}
//	                                                                                                          (absent while a conversation opened
//	                                                                                                          to be routed is not routed yet)
//	                                                                                                        gsi3pk A#{acct}#ST#{status}
//	                                                                                                        gsi4pk A#{acct}#IB#{inboxId}#{status}
//	                                                                                                        lsk (sort key of gsi2..gsi4) =
//	                                                                                                          {SortableTime(listTime: the contact's
//	                                                                                                          last message, else the creation, to
//	                                                                                                          the quarter hour)}#{convId}
//	                                                                                                        gsi5pk A#{acct}#CT#{contactId}#CVS,
//	                                                                                                        gsi5sk {SortableTime(createdAt)}#{convId}
//	                                                                                                          (written with the conversation, never
//	                                                                                                          changed: 1 WCU once, no later write;
//	                                                                                                          absent from the conversation a contact
//	                                                                                                          was created with: its firstConv)
//	  a contact's conversations (search)  Query gsi5 (keys only), newest first, plus the firstConv of the
//	                                        lookup item or name word that found the contact (no extra
//	                                        read), then BatchGetItem
//	  list by inbox and status            Query gsi4 (keys only), newest quarter hour first, then
//	                                        BatchGetItem of the page (eventually consistent); what no
//	                                        longer matches the list (closed, reassigned since) is left out
//	  list by assignee (or unassigned)    Query gsi2 (keys and inboxId; filter on inboxId when an inbox is
//	                                        given), then BatchGetItem
//	  list by status                      Query gsi3 (keys only), then BatchGetItem
//	  a message                           UpdateItem: lastSort, lmn, pv (REMOVE lastMessageAt, preview); a
//	                                        contact's message also lis (REMOVE lastInboundAt, lastInboundSort)
//	                                        and lsk, which changes only with the quarter hour, so that the
//	                                        indexes (keys only) are written by the first inbound message of
//	                                        a quarter hour alone (a delete and a put each); the team's
//	                                        replies never move it; a page is sorted by the exact listTime
//	  assign within capacity             one transaction: conversation (open, unassigned, version) + user
//	                                        ADD load 1 (attribute_not_exists(load) OR load < cap) + delete
//	                                        the waiting item; SetAssignee/SetStatus move loads (never < 0)
//	                                        in their transaction, for assignees that are users. AssignNew
//	                                        (the router's, for the conversation it has just written): the
//	                                        same transaction without reading first, conditional on open,
//	                                        unassigned and not waiting (else it reads and retries)
//	  open to route (the router, when     OpenConversationToRoute: the conversation without gsi2pk, so
//	    the rules assign automatically)     that routing writes gsi2 once: AssignNew a put (2 × 1 in its
//	                                        transaction instead of 2 × 2 for a delete and a put), AddWaiting
//	                                        the unassigned list's entry; any later assignee or status
//	                                        change sets it too; ListUnrouted (a failed routing, or a
//	                                        redelivery finding it unlisted) sets the unassigned one
//	  read marker per user (SetRead)      UpdateItem SET readBy.{inbox.ReadKey(userId): 8 characters} =
//	                                        if_not_exists(lis, if_not_exists(lastInboundSort, "0")) (read) or
//	                                        "-" (marked unread), REMOVE readBy.{userId} (the marker of an
//	                                        item written before), condition attribute_exists(readBy):
//	                                        1 WCU, no index key and no version change; the first marker of a
//	                                        conversation first creates the map (one more UpdateItem). Lists
//	                                        and reads get the markers with the item: unread costs no read
//	Waiting conversation                  A#{acct}#WAIT#{chId}                 {SortableTime(arrivedAt)}    conversationId, channelId, arrivedAt
//	                                                                           #{convId}
//	  a channel's queue, oldest first     Query pk (strongly consistent)
//	  add / remove                        transaction with the conversation's waitSK (version +1), which
//	                                        lets assignment and closing delete it without the arrival time;
//	                                        adding also sets gsi2pk to the unassigned list
//	Waiting-account marker                WAITING                              A#{acct}                     accountId, channels (string set), waits
//	                                                                                                        (count), lastWaitAt
//	  mark                                UpdateItem after AddWaiting's transaction (also when the conversation
//	                                        waits already: a retry completes it): ADD waits 1, channels
//	                                        {chId}; not transactional, so adds of one account never cancel
//	                                        each other on it
//	  accounts with waiting conversations Query pk = WAITING (strongly consistent, paged): the scheduled
//	    (scheduled drain)                   drain's only entry point; one small partition per deployment
//	  forget                              GetItem marker → ListWaiting(limit 1) of each channel it names that
//	                                        still exists → DeleteItem conditional on waits unchanged, so a
//	                                        conversation queued meanwhile keeps the marker
//	Open-conversation marker              A#{acct}#OPEN#{inboxId}#{contactId}  OPEN                         conversationId
//	  the contact's open conversation     GetItem; put (attribute_not_exists) just before the conversation,
//	    in an inbox                         single writes (one transaction when created assigned); a marker
//	                                        whose conversation is missing (a failure in between) is
//	                                        completed by FindOrOpenConversation under its id; deleted on
//	                                        close, put back on reopen, in the same transaction
//	Last-closed marker                    A#{acct}#OPEN#{inboxId}#{contactId}  LAST                         conversationId, ttl = closing + 90 days
//	  the conversation to reopen when     put (overwritten) in the transaction that closes a conversation
//	    the contact writes again            without a thread key; GetItem, then the conversation (still
//	                                        closed?); Reopen = SetStatus open + the assignee kept (load +1
//	                                        within capacity, inbox.ErrAtCapacity) or removed, one transaction
//	Message                               A#{acct}#CV#{convId}                 M#{msgId}                    channelId (for provider markers);
//	                                                                                                        attachments (list of maps, media status
//	                                                                                                        and storage key included); payload, replyTo,
//	                                                                                                        reaction ("" kept), template (map); ids from
//	                                                                                                        the key only (items written before also hold
//	                                                                                                        accountId, conversationId, id)
//	  a conversation's messages           Query pk = A#{acct}#CV#{convId}: the conversation item (CV)
//	                                      then its messages (M#…), oldest first (message ids sort by time)
//	  watermark receipt                   Query pk, sk BETWEEN "CV" AND M#{time of watermark}-…, filter
//	                                        outbound and sent/delivered; then one conditional update each
//	  media fetched                       UpdateItem SET attachments[i], condition size(attachments) > i
//	  delivery status (UpdateDelivery)    one UpdateItem, no read: condition outbound and status IN (the
//	                                        statuses the new one ranks above), so a late "sent" never
//	                                        overwrites "delivered"; with the provider's id, the marker's
//	                                        put first (single writes, not a transaction); a status
//	                                        callback's also attribute_not_exists(rt_{hash of its id})
//	                                        unless it is the current send's, so a retried send's late
//	                                        reports move nothing
//	  part of a reply sent (RecordPart)   UpdateItem list_append(partIds, [provider id]), SET pt_{hash
//	                                        of the id} = true, condition status sending and
//	                                        size(partIds) = the part's number (absent for the first):
//	                                        1 WCU; then the part's provider marker (1 WCU). Its status
//	                                        callbacks find the reply but apply only a failure
//	                                        (attribute_not_exists(pt_…) otherwise): a part's "delivered"
//	                                        must not move the reply while a later part waits; its failure
//	                                        is a second UpdateItem after the first found pt_… (the error
//	                                        then says the text was not delivered)
//	  agent's retry (RetryMessage)        UpdateItem SET status pending, attachments (fresh links),
//	                                        rt_{hash of the failed send's provider id} = true, REMOVE
//	                                        error, providerId; condition outbound, status failed, no
//	                                        partIds and that providerId: 1 WCU, so two retries at once
//	                                        move it once
//	  internal note (AppendNote)          PutItem of the message (direction note, attribute_not_exists):
//	                                        1 WCU; the conversation is not written (a note moves neither
//	                                        its time nor its preview), no provider marker
//	Provider message marker               A#{acct}#PM#{chId}#{providerMsgId}   PM                           conversationId, messageId,
//	                                                                                                        ttl = now + 90 days (epoch seconds)
//	  exactly-once intake                 message put (attribute_not_exists; inbound ids derive from the
//	                                        provider's), then the conversation update (status = open for
//	                                        AppendToOpen; none for AppendFirstMessage, whose conversation was
//	                                        written showing it), then marker put (absent, expired or naming
//	                                        the same message): single writes, the message undone on a
//	                                        duplicate or no conversation; the marker last, so that a
//	                                        redelivery completes what a failure left
//	  status callback → message           GetItem
//	Notice marker                         A#{acct}#NOTICE#{name}               NOTICE                       claimedAt, ttl (epoch seconds, set by
//	  (one email per event, name such as                                                                    the caller)
//	  "owner-away:{convId}:{userId}")
//	  claim before sending                PutItem attribute_not_exists(pk) OR ttl < now (ClaimNotice);
//	                                        deleted again when the send fails (ReleaseNotice)
//	WebSocket connection (live updates)   WS#{connectionId}                    WS                           accountId, userId | visitor, visitorId,
//	                                                                                                        conversationId; connectedAt; ttl = +3 h
//	                                      A#{acct}#WS (agents) or              {connectionId}               the same attributes (the audience's copy)
//	                                        A#{acct}#WS#CV#{convId} (visitors)
//	  connect / disconnect                BatchWriteItem of both items (put / delete); disconnect reads the
//	                                        WS# item first (API Gateway's $disconnect carries only the id);
//	                                        a visitor's audience copy is put back with goneAt, ttl = +5 min
//	  who hears about a conversation      Query A#{acct}#WS + Query A#{acct}#WS#CV#{convId}, eventually
//	                                        consistent (realtime.Service.Publish: one pair per conversation
//	                                        in a stream batch), goneAt skipped; a 410 on push deletes the
//	                                        connection
//	  is the chat visitor present         Query A#{acct}#WS#CV#{convId}: any unexpired item, gone or not
//	                                        (VisitorOnline, before chatsend mails a reply)
//	Event (catch-up after a reconnect)    A#{acct}#EV                          {cursor} = {SortableTime}    kind, conversationId, messageId, at;
//	                                                                           -{nnnn}{random}              ttl = +24 h
//	  log                                 BatchWriteItem, by the realtime function (one put per event)
//	  events after a cursor               Query pk, sk > cursor (GET /v1/events?after=)
//	Stream (KEYS_ONLY) → events           messages (M#…), conversations (CV) and tickets (TICKET#…) only,
//	                                        by the event source mapping's filter; ChangeEvent maps keys
//
// # Consistency
//
// Reads of the table are strongly consistent, except InboundState's (a duplicate or a contact it
// misses is caught by the conditions of the writes that follow) and the batch reads of a
// conversation list page; the lists served by gsi1..gsi4 (channels, conversations) are
// eventually consistent and may lag a moment behind writes. Writes that must stay together (a
// channel and its provider key claim, status and assignee changes with loads and markers) are
// single transactions with conditions. Where an order of conditional single writes is safe they
// are used instead, since a transaction costs twice the units: a contact and then its lookup
// item; an open marker and then its conversation; a message, its conversation's last-message
// fields and then its provider marker (see AppendMessage for what a failure between them
// leaves). Conversations carry a version
// incremented by every write; status and assignee changes are conditional on it and retried.
//
// # Errors
//
// Methods return *inbox.Error values: ENotFound, EConflict (uniqueness conditions), EInvalid
// (bad arguments), EUnavailable (throttling, server and network errors, worth a retry) and
// EInternal (requests DynamoDB refuses as malformed, undecodable items, secrets that cannot be
// opened). Each method's documentation lists the codes it returns.
//
// # Capacity
//
// Every call asks DynamoDB for its consumed capacity; OnCapacity receives the totals in AWS's
// units, for benchmarks measuring capacity units per inbound message (capacity.go says how
// DynamoDB Local's reports of transactions and batch reads are converted).
package dynamo
