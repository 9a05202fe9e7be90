"""Delivery channels: small adapters behind one protocol (see base.py), one module each.

base.py           Channel protocol, OutgoingMessage, Result, the ChannelError hierarchy
(hygiene.bootstrap builds the channels the configuration enables: nowhere else)
smtp.py           email through a pool of reused aiosmtplib connections
email_message.py  the MIME message smtp.py sends
sms.py            eSMS.vn, SpeedSMS and a signed generic webhook (httpx)
sms_text.py       pure: GSM-7 folding and segment counting
zalo.py           Zalo ZNS template messages, access-token refresh behind a TokenStore
file.py           first-run fallback: each message becomes a file
memory.py         test double that keeps what it was asked to send
"""
