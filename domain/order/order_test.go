package order_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/money"
	"github.com/allot-io/allot/domain/order"
)

func amt(s string) money.Amount { return money.MustParse(s) }

func TestPrice(t *testing.T) {
	wa := order.StateFees{State: "WA", TaxRate: money.MustParseRate("6.5"), RegulatoryRate: money.MustParseRate("2.25")}
	fees := order.Settings{ActivationFee: amt("10.00"), ProcessingFee: amt("1.50"), Counter: order.Monthly, InvoiceStart: 1}
	ground := order.ShippingMethod{ID: 7, Name: "Ground", Amount: amt("5.00")}
	overnight := order.ShippingMethod{ID: 8, Name: "Overnight", Amount: amt("24.99"), Overnight: true}
	tenPct := &order.Coupon{Code: "TEN", Kind: order.PercentOff, Percent: money.MustParseRate("10")}
	fiveOff := &order.Coupon{Code: "FIVE", Kind: order.AmountOff, Amount: amt("5.00")}
	huge := &order.Coupon{Code: "HUGE", Kind: order.AmountOff, Amount: amt("500.00")}
	plan := func(price string, months int64) []order.PricedPlan {
		return []order.PricedPlan{{ID: "606", Months: months, Price: amt(price)}}
	}
	for _, tc := range []struct {
		name string
		in   order.PriceInput
		// want: plan, discount, activation, tax, regulatory, shipping, overnight, processing, total
		want [9]string
	}{
		{"plan only, no configuration", order.PriceInput{Plans: plan("25.00", 1), Lines: 1},
			[9]string{"25.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "25.00"}},
		{"lines and months multiply", order.PriceInput{Plans: plan("15.75", 3), Lines: 2},
			[9]string{"94.50", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "94.50"}},
		{"every fee", order.PriceInput{Plans: plan("25.00", 1), Lines: 2, Settings: fees, Fees: wa, Shipping: ground},
			// tax 6.5% of 50 = 3.25; regulatory 2.25% of 50 = 1.125 -> 1.13
			[9]string{"50.00", "0.00", "20.00", "3.25", "1.13", "5.00", "0.00", "1.50", "80.88"}},
		{"overnight shipping is part of shipping", order.PriceInput{Plans: plan("25.00", 1), Lines: 1, Shipping: overnight},
			[9]string{"25.00", "0.00", "0.00", "0.00", "0.00", "24.99", "24.99", "0.00", "49.99"}},
		{"percent coupon before tax", order.PriceInput{Plans: plan("25.00", 1), Lines: 1, Fees: wa, Coupon: tenPct},
			// base 22.50: tax 1.4625 -> 1.46; regulatory 0.50625 -> 0.51
			[9]string{"25.00", "2.50", "0.00", "1.46", "0.51", "0.00", "0.00", "0.00", "24.47"}},
		{"amount coupon", order.PriceInput{Plans: plan("25.00", 1), Lines: 1, Coupon: fiveOff},
			[9]string{"25.00", "5.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "20.00"}},
		{"amount coupon capped at the plans, fees still due", order.PriceInput{Plans: plan("25.00", 1), Lines: 1, Settings: fees, Coupon: huge, Shipping: ground},
			[9]string{"25.00", "25.00", "10.00", "0.00", "0.00", "5.00", "0.00", "1.50", "16.50"}},
		{"several plans", order.PriceInput{Plans: []order.PricedPlan{{ID: "1", Months: 1, Price: amt("10.00")}, {ID: "2", Months: 2, Price: amt("0.99")}}, Lines: 3},
			[9]string{"35.94", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "35.94"}},
		{"free plan", order.PriceInput{Plans: plan("0", 1), Lines: 1, Fees: wa, Coupon: tenPct},
			[9]string{"0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"}},
		{"half cent rounds away from zero", order.PriceInput{Plans: plan("0.10", 1), Lines: 1, Fees: order.StateFees{TaxRate: money.MustParseRate("5")}},
			[9]string{"0.10", "0.00", "0.00", "0.01", "0.00", "0.00", "0.00", "0.00", "0.11"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := order.Price(tc.in)
			got := [9]string{q.PlanAmount.String(), q.Discount.String(), q.ActivationFee.String(), q.Tax.String(),
				q.RegulatoryFee.String(), q.Shipping.String(), q.OvernightShipping.String(), q.ProcessingFee.String(), q.Total.String()}
			if got != tc.want {
				t.Errorf("Price =\n %v\nwant\n %v", got, tc.want)
			}
		})
	}
}

func TestCoupon(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		code    string
		percent string
		amount  string
		maxUses int64
		reason  string
	}{
		{"percent", "save10", "10", "", 0, ""},
		{"amount", "FIVE-OFF", "", "5.00", 3, ""},
		{"both", "X", "10", "5", 0, order.ReasonInvalidCoupon},
		{"neither", "X", "", "", 0, order.ReasonInvalidCoupon},
		{"zero percent", "X", "0", "", 0, order.ReasonInvalidCoupon},
		{"over 100 percent", "X", "100.5", "", 0, order.ReasonInvalidCoupon},
		{"zero amount", "X", "", "0.00", 0, order.ReasonInvalidCoupon},
		{"bad code", "SAVE 10", "10", "", 0, order.ReasonInvalidCoupon},
		{"long code", strings.Repeat("A", 51), "10", "", 0, order.ReasonInvalidCoupon},
		{"negative max uses", "X", "10", "", -1, order.ReasonInvalidCoupon},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := order.NewCoupon(tc.code, tc.percent, tc.amount, tc.maxUses, time.Time{})
			if got := fault.ReasonOf(err); got != tc.reason {
				t.Fatalf("NewCoupon: reason %q, want %q (%v)", got, tc.reason, err)
			}
			if err == nil && c.Code != strings.ToUpper(tc.code) {
				t.Errorf("code %q", c.Code)
			}
		})
	}
	c, _ := order.NewCoupon("X", "", "5", 2, at)
	for _, tc := range []struct {
		name   string
		uses   int64
		at     time.Time
		reason string
	}{
		{"usable", 1, at.Add(-time.Second), ""},
		{"expired at the instant", 0, at, order.ReasonCouponExpired},
		{"used up", 2, at.Add(-time.Hour), order.ReasonCouponUsedUp},
	} {
		c.Uses = tc.uses
		if got := fault.ReasonOf(c.Check(tc.at)); got != tc.reason {
			t.Errorf("%s: Check reason %q, want %q", tc.name, got, tc.reason)
		}
	}
	unlimited, _ := order.NewCoupon("U", "50", "", 0, time.Time{})
	unlimited.Uses = 1 << 40
	if err := unlimited.Check(at); err != nil {
		t.Errorf("a coupon without limits is always usable: %v", err)
	}
	if d := unlimited.Discount(amt("0.01")); d != amt("0.01") {
		t.Errorf("50%% of 0.01 = %s, want 0.01 (half a cent rounds up)", d)
	}
}

func TestInvoiceNumbering(t *testing.T) {
	may := time.Date(2024, 5, 31, 23, 59, 0, 0, time.UTC)
	// 01:00 on 1 June in UTC+2 is still 31 May in UTC.
	local := time.Date(2024, 6, 1, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	for _, tc := range []struct {
		at   time.Time
		n    int64
		want string
	}{
		{may, 2002, "2024-05-2002"},
		{may, 1, "2024-05-0001"},
		{may, 12345, "2024-05-12345"},
		{local, 7, "2024-05-0007"},
	} {
		if got := order.InvoiceNumber(tc.at, tc.n); got != tc.want {
			t.Errorf("InvoiceNumber(%v, %d) = %s, want %s", tc.at, tc.n, got, tc.want)
		}
	}
	s := order.DefaultSettings()
	if p := s.InvoicePeriod(may); p != "2024-05" {
		t.Errorf("monthly period %q", p)
	}
	s.Counter = order.Continuous
	if p := s.InvoicePeriod(may); p != "" {
		t.Errorf("continuous period %q", p)
	}
	start := int64(1000)
	changed, err := order.DefaultSettings().Apply(order.SettingsChange{Counter: ptr("Continuous"), InvoiceStart: &start, ActivationFee: ptr("9.99")})
	if err != nil || changed.Counter != order.Continuous || changed.InvoiceStart != 1000 || changed.ActivationFee != amt("9.99") {
		t.Errorf("Apply = %+v, %v", changed, err)
	}
	zero := int64(0)
	_, err = order.DefaultSettings().Apply(order.SettingsChange{Counter: ptr("weekly"), InvoiceStart: &zero, ProcessingFee: ptr("-1")})
	if fe, _ := fault.As(err); fe == nil || len(fe.Violations) != 3 {
		t.Errorf("Apply of three bad fields = %v, want three violations", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestNewStateFeesAndShipping(t *testing.T) {
	f, err := order.NewStateFees("wa", "6.5", "0")
	if err != nil || f.State != "WA" || f.TaxRate.String() != "6.5" {
		t.Fatalf("NewStateFees = %+v, %v", f, err)
	}
	_, err = order.NewStateFees("ZZ", "101", "x")
	if fe, _ := fault.As(err); fe == nil || len(fe.Violations) != 3 {
		t.Errorf("NewStateFees of three bad fields = %v", err)
	}
	m, err := order.NewShippingMethod(" USPS Priority ", "5", true)
	if err != nil || m.Name != "USPS Priority" || m.Amount != amt("5.00") || !m.Overnight {
		t.Errorf("NewShippingMethod = %+v, %v", m, err)
	}
	if _, err := order.NewShippingMethod("", "5.001", false); err == nil {
		t.Error("an unnamed method with three decimals is refused")
	}
}

func TestParseQuote(t *testing.T) {
	good := order.QuoteInput{EnrollmentID: " wn116 ", Plans: []order.PlanChoice{{ID: "606"}}, ZipCode: "98103", Lines: "2", ShippingID: "3", CouponCode: "save10"}
	q, err := order.ParseQuote(good, 10)
	if err != nil {
		t.Fatal(err)
	}
	if q.EnrollmentID != "WN116" || q.Lines != 2 || q.ShippingID != 3 || q.CouponCode != "SAVE10" || q.Plans[0] != (order.PlanRef{ID: "606", Months: 1}) {
		t.Errorf("ParseQuote = %+v", q)
	}
	q, err = order.ParseQuote(order.QuoteInput{EnrollmentID: "A1", Plans: []order.PlanChoice{{ID: "1", Months: "12"}}}, 10)
	if err != nil || q.Lines != 1 || q.ShippingID != 0 || q.Plans[0].Months != 12 {
		t.Errorf("defaults: %+v, %v", q, err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*order.QuoteInput)
		field string
		msg   string
	}{
		{"no enrollment id", func(in *order.QuoteInput) { in.EnrollmentID = "" }, "enrollment_id", "Please enter Enrollment Id"},
		{"bad enrollment id", func(in *order.QuoteInput) { in.EnrollmentID = "WN-1" }, "enrollment_id", ""},
		{"no plan", func(in *order.QuoteInput) { in.Plans = nil }, "plan_id", "Plan Id is required"},
		{"plan not numeric", func(in *order.QuoteInput) { in.Plans[0].ID = "60a" }, "plan_id", ""},
		{"zero months", func(in *order.QuoteInput) { in.Plans[0].Months = "0" }, "no_of_months", ""},
		{"too many months", func(in *order.QuoteInput) { in.Plans[0].Months = "37" }, "no_of_months", ""},
		{"zip of four digits", func(in *order.QuoteInput) { in.ZipCode = "9810" }, "zip_code", "Please enter valid 5 digit Zip Code"},
		{"no lines", func(in *order.QuoteInput) { in.Lines = "0" }, "no_of_lines", "Number of lines should be a whole number from 1 to 10"},
		{"too many lines", func(in *order.QuoteInput) { in.Lines = "11" }, "no_of_lines", ""},
		{"fractional lines", func(in *order.QuoteInput) { in.Lines = "1.5" }, "no_of_lines", ""},
		{"negative shipping id", func(in *order.QuoteInput) { in.ShippingID = "-3" }, "shipping_id", ""},
		{"bad coupon", func(in *order.QuoteInput) { in.CouponCode = "10% OFF" }, "coupon_code", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good
			in.Plans = append([]order.PlanChoice(nil), good.Plans...)
			tc.edit(&in)
			_, err := order.ParseQuote(in, 10)
			fe, ok := fault.As(err)
			if !ok || fe.Code != fault.Invalid || len(fe.Violations) != 1 || fe.Violations[0].Field != tc.field {
				t.Fatalf("ParseQuote = %v, want one violation of %s", err, tc.field)
			}
			if tc.msg != "" && fe.Message != tc.msg {
				t.Errorf("message %q, want %q", fe.Message, tc.msg)
			}
		})
	}
	many := make([]order.PlanChoice, order.MaxPlans+1)
	for i := range many {
		many[i] = order.PlanChoice{ID: fmt.Sprint(i + 1)}
	}
	if _, err := order.ParseQuote(order.QuoteInput{EnrollmentID: "A", Plans: many}, 10); err == nil {
		t.Error("more than MaxPlans plans are refused")
	}
}

// canaryCard is a valid test card number (it passes the Luhn check) that
// must never appear in any message.
const canaryCard = "4111111111111111"

func TestParsePayment(t *testing.T) {
	base := order.PaymentInput{
		Quote:       order.QuoteInput{EnrollmentID: "WN116", Plans: []order.PlanChoice{{ID: "606"}}},
		PaymentType: "new_signup",
		Method:      "cash",
		Billing:     enrollment.Address{One: "112 N 41ST ST", City: "seattle", State: "wa", Zip: "98103"},
	}
	p, err := order.ParsePayment(base, 10)
	if err != nil || p.Method != order.Cash || p.Billing.State != "WA" {
		t.Fatalf("ParsePayment = %+v, %v", p, err)
	}
	card := order.CardInput{Number: enrollment.NewSecret(canaryCard), CVV: enrollment.NewSecret("123"),
		ExpiryMonth: enrollment.NewSecret("12"), ExpiryYear: enrollment.NewSecret("30")}
	for _, tc := range []struct {
		name   string
		edit   func(*order.PaymentInput)
		fields []string
	}{
		{"skip payment needs no billing", func(in *order.PaymentInput) { in.Method = "SKIP_PAYMENT"; in.Billing = enrollment.Address{} }, nil},
		{"other option with its reference", func(in *order.PaymentInput) {
			in.Method, in.MethodOption, in.ChargeID = "OTHER_PAYMENT_OPTION", "stripe", "ch_3Mx9"
		}, nil},
		{"card", func(in *order.PaymentInput) { in.Method, in.Card = "CREDIT_CARD", card }, nil},
		{"no payment type", func(in *order.PaymentInput) { in.PaymentType = "" }, []string{"payment_type"}},
		{"renewal is not a payment type here", func(in *order.PaymentInput) { in.PaymentType = "RENEWAL" }, []string{"payment_type"}},
		{"no method", func(in *order.PaymentInput) { in.Method = "" }, []string{"payment_method"}},
		{"unknown method", func(in *order.PaymentInput) { in.Method = "BITCOIN" }, []string{"payment_method"}},
		{"other option without option nor reference", func(in *order.PaymentInput) { in.Method = "OTHER_PAYMENT_OPTION" },
			[]string{"payment_method_option", "transaction_id"}},
		{"reference with a space", func(in *order.PaymentInput) { in.TransactionID = "tx 1" }, []string{"transaction_id"}},
		{"bad billing state", func(in *order.PaymentInput) { in.Billing.State = "ZZ" }, []string{"billing_state"}},
		{"bad billing zip", func(in *order.PaymentInput) { in.Billing.Zip = "981" }, []string{"billing_zip"}},
		{"card needs the billing address", func(in *order.PaymentInput) {
			in.Method, in.Card, in.Billing = "CREDIT_CARD", card, enrollment.Address{}
		}, []string{"billing_address1", "billing_city", "billing_state", "billing_zip"}},
		{"card number fails luhn", func(in *order.PaymentInput) {
			in.Method, in.Card = "CREDIT_CARD", card
			in.Card.Number = enrollment.NewSecret("4111111111111112")
		}, []string{"credit_card_number"}},
		{"card fields missing", func(in *order.PaymentInput) { in.Method = "CREDIT_CARD" },
			[]string{"credit_card_number", "cvv", "expiry_month", "expiry_year"}},
		{"quote errors too", func(in *order.PaymentInput) { in.Quote.EnrollmentID = "" }, []string{"enrollment_id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			tc.edit(&in)
			_, err := order.ParsePayment(in, 10)
			var got []string
			if fe, ok := fault.As(err); ok {
				for _, v := range fe.Violations {
					got = append(got, v.Field)
					if strings.Contains(v.Message, canaryCard) || strings.Contains(v.Message, "4111111111111112") {
						t.Errorf("a message quotes the card number: %q", v.Message)
					}
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("violations of %v, want %v (%v)", got, tc.fields, err)
			}
		})
	}
	in := base
	in.Method, in.Card = "CREDIT_CARD", card
	p, err = order.ParsePayment(in, 10)
	if err != nil || p.Card.Last4() != "1111" || p.Card.ExpiryYear != 2030 {
		t.Fatalf("card: %+v, %v", p.Card, err)
	}
	if s := fmt.Sprintf("%v %+v %#v", p, p, p); strings.Contains(s, canaryCard) || strings.Contains(s, "123 ") {
		t.Errorf("printing a payment shows its card: %s", s)
	}
}

func TestOrderReferences(t *testing.T) {
	o := order.Order{ID: 42}
	if o.TransactionNo() != "TXN00000042" || o.CouponTransactionID() != "" {
		t.Errorf("derived references %q %q", o.TransactionNo(), o.CouponTransactionID())
	}
	o.ChargeID, o.Quote.CouponCode = "ch_1", "TEN"
	if o.TransactionNo() != "ch_1" || o.CouponTransactionID() != "CPN00000042" {
		t.Errorf("client references %q %q", o.TransactionNo(), o.CouponTransactionID())
	}
	if order.StatusOf(order.SkipPayment) != order.Skipped || order.StatusOf(order.Cash) != order.Paid {
		t.Error("StatusOf")
	}
}
