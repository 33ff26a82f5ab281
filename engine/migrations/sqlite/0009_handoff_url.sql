-- Where the provider's page for a started payment is (PayMe's `sale_url`, EveryPay's
-- `payment_link`): providers say to use the address they return, never to build it.
ALTER TABLE payments ADD COLUMN handoff_url TEXT;
