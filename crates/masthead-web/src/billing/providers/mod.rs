//! The checkout pages a provider has on this site: the sandbox's
//! ([`sandbox`], with its API twin) and Razorpay's ([`razorpay`], which
//! hands the reader to Razorpay's hosted checkout and takes its callback).
//! Stripe's checkout is Stripe's own page; what every provider sends back
//! arrives as a webhook ([`crate::billing::webhooks`]).

pub(crate) mod razorpay;
pub(crate) mod sandbox;
