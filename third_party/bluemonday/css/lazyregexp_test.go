// Patched (not in upstream bluemonday): tests of LazyRegexp.

package css

import (
	"sync"
	"testing"
)

// TestLazyRegexpConcurrentFirstUse uses fresh expressions from many goroutines
// at once, as concurrent sanitizing does after start-up: run with -race.
func TestLazyRegexpConcurrentFirstUse(t *testing.T) {
	re := NewLazyRegexp(`^[a-z]+$`)
	if re.String() != `^[a-z]+$` {
		t.Fatalf("String() = %q", re.String())
	}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !re.MatchString("abc") || re.MatchString("ABC") {
				t.Error("MatchString disagrees with the expression")
			}
			if got := ColorHandler("rgb(1, 2, 3)"); !got {
				t.Error("ColorHandler refused rgb(1, 2, 3)")
			}
			if got := ColorHandler("rgb(1, 2, 3); x"); got {
				t.Error("ColorHandler allowed rgb(1, 2, 3); x")
			}
		}()
	}
	wg.Wait()
}

// TestLazyRegexpInvalidPanicsOnFirstUse: an invalid expression fails as
// regexp.MustCompile does, on first use instead of at init.
func TestLazyRegexpInvalidPanicsOnFirstUse(t *testing.T) {
	re := NewLazyRegexp(`(`)
	defer func() {
		if recover() == nil {
			t.Error("no panic for an invalid expression")
		}
	}()
	re.MatchString("x")
}

// TestEveryExpressionCompiles compiles each expression of the package, as
// upstream's init did, so that a bad one fails here and not at run time.
func TestEveryExpressionCompiles(t *testing.T) {
	for _, re := range []*LazyRegexp{Alpha, Blur, BrightnessCont, Count, CubicBezier, Digits, DropShadow, Font, Grayscale, GridTemplateAreas, HexRGB, HSL, HSLA, HueRotate, Invert, Length, Matrix, Matrix3D, NegTime, Numeric, NumericDecimal, Opactiy, Perspective, Position, Opacity, QuotedAlpha, Quotes, Rect, RGB, RGBA, Rotate, Rotate3D, Saturate, Sepia, Skew, Span, Steps, Time, TransitionProp, TranslateScale, URL, ZIndex} {
		if re.Regexp() == nil {
			t.Errorf("%s did not compile", re)
		}
	}
}
