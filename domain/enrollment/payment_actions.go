package enrollment

// Actions of the BSS /shipping and /payment modules. They are listed here,
// beside the other actions, because an agent's permissions name them all
// (see Actions and ParseAction); their rules live in domain/order.
const (
	ActionShippingMethods = "get_shipping_methods"
	ActionPaymentDetails  = "payment_details"
	ActionMakePayment     = "make_payment"
)
