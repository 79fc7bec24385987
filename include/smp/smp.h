/* smp.h: the scalp micropigmentation stipple engine, one include for all of it.
 * Pure C11 + GLib: no GIMP here; the plug-in is an adapter over this. */
#pragma once

#include "smp-error.h"
#include "smp-catalog.h"
#include "smp-params.h"
#include "smp-mask.h"
#include "smp-hairline.h"
#include "smp-pattern.h"
#include "smp-shine.h"
#include "smp-design.h"
#include "smp-preset.h"
#include "smp-face.h"
#include "smp-head.h"
#include "smp-proposal.h"
#include "smp-match.h"
